SELECT d0, count() AS retained
FROM
(
    SELECT DISTINCT user_id, toDate(event_time) AS d0
    FROM events
)
ALL INNER JOIN
(
    SELECT DISTINCT user_id, toDate(event_time) - 1 AS d0
    FROM events
) USING user_id, d0
GROUP BY d0
ORDER BY d0