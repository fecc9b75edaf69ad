SELECT toStartOfHour(event_time) AS hour, count() AS events
FROM events
WHERE toDate(event_time) = '2026-10-03'
GROUP BY hour
ORDER BY hour