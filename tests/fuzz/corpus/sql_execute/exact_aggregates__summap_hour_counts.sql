SELECT sumMap([toHour(event_time)], [toUInt64(1)]) AS per_hour
FROM events
WHERE event_type = 'purchase'