-- SPEC §9 dau: distinct users per day.
SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau
FROM events
GROUP BY day
ORDER BY day
