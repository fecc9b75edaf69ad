SELECT cohort, sumForEach(active) AS per_day
FROM
(
    SELECT user_id, min(toDate(event_time)) AS cohort, groupUniqArray(toDate(event_time)) AS days,
           arrayMap(i -> has(days, cohort + i), range(4)) AS active
    FROM events
    GROUP BY user_id
)
WHERE cohort < '2026-10-05'
GROUP BY cohort
ORDER BY cohort