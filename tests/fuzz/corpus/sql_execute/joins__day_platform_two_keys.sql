SELECT day, platform, events, buyers
FROM
(
    SELECT toDate(event_time) AS day, platform, count() AS events
    FROM events
    GROUP BY day, platform
)
ALL INNER JOIN
(
    SELECT toDate(event_time) AS day, platform, uniqExact(user_id) AS buyers
    FROM events
    WHERE event_type = 'purchase'
    GROUP BY day, platform
) USING day, platform
ORDER BY day, platform