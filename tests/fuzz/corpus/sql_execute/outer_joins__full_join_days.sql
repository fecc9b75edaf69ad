SELECT day, signups, crashes
FROM
(
    SELECT toDate(event_time) AS day, count() AS signups FROM events WHERE event_type = 'sign_up' AND toDate(event_time) < '2026-10-10' GROUP BY day
)
ALL FULL JOIN
(
    SELECT toDate(event_time) AS day, count() AS crashes FROM events WHERE event_type = 'app_crash' AND toDate(event_time) >= '2026-10-05' GROUP BY day
) USING day
ORDER BY day