SELECT device_type, round(avg(toHour(event_time)), 4) AS avg_hour, min(toHour(event_time)) AS min_hour, max(toHour(event_time)) AS max_hour
FROM events
GROUP BY device_type WITH TOTALS
ORDER BY device_type