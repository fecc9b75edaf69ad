SELECT sumMap([toUInt8(1), toUInt8(2)], [toUInt64(toHour(event_time)), toUInt64(toDayOfMonth(event_time))]) AS sums
FROM events
WHERE event_type = 'login'