SELECT toHour(toTimeZone(toDateTime(event_time), 'Asia/Tokyo')) AS hour, count() AS events
FROM events
GROUP BY hour
ORDER BY hour