SELECT max_daily, count() AS users
FROM
(
    SELECT user_id, max(daily) AS max_daily
    FROM
    (
        SELECT user_id, toDate(event_time) AS day, count() AS daily
        FROM events
        GROUP BY user_id, day
    )
    GROUP BY user_id
)
WHERE max_daily >= 40
GROUP BY max_daily
ORDER BY max_daily