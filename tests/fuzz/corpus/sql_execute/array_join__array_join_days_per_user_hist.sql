SELECT day, count() AS buyers
FROM
(
    SELECT user_id, groupUniqArray(toDate(event_time)) AS days
    FROM events
    WHERE event_type = 'purchase'
    GROUP BY user_id
)
ARRAY JOIN days AS day
GROUP BY day
ORDER BY day