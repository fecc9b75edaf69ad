SELECT events, count() AS users
FROM
(
    SELECT user_id, count() AS events
    FROM events
    GROUP BY user_id
)
GROUP BY events
ORDER BY events