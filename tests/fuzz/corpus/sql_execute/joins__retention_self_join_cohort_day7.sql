SELECT cohort, count() AS cohort_users, sum(back) AS day7
FROM
(
    SELECT user_id, cohort, back
    FROM
    (
        SELECT user_id, min(toDate(event_time)) AS cohort
        FROM events
        GROUP BY user_id
    )
    ALL LEFT JOIN
    (
        SELECT DISTINCT user_id, toDate(event_time) - 7 AS cohort, 1 AS back
        FROM events
    ) USING user_id, cohort
)
GROUP BY cohort
ORDER BY cohort