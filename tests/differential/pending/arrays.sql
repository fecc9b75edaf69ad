-- Array functions and lambdas: has, length, arrayMap/arrayFilter/arrayExists with lambdas,
-- arraySort, arrayStringConcat, range, splitByChar, arrayElement, indexOf, arrayDistinct...
-- groupArray / groupUniqArray results are sorted before printing (their order follows the scan).

-- name: days_active_vector
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
