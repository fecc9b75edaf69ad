SELECT event_type, count() AS events, uniqExact(user_id) AS users
FROM events
ALL INNER JOIN
(
    SELECT user_id
    FROM events
    WHERE event_type = 'purchase'
    GROUP BY user_id
) USING user_id
GROUP BY event_type
ORDER BY events DESC, event_type