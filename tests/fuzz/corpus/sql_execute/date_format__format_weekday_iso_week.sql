SELECT formatDateTime(toDateTime(event_time), '%V-%u') AS week_day, count() AS events
FROM events
GROUP BY week_day
ORDER BY week_day