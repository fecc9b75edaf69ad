-- SPEC §9 mau: distinct users in the month.
SELECT toStartOfMonth(event_time) AS month, uniqExact(user_id) AS mau
FROM events
WHERE event_time >= '2026-10-01 00:00:00' AND event_time < '2026-11-01 00:00:00'
GROUP BY month
ORDER BY month
