SELECT platform, sumMap([toDayOfWeek(event_time)], [toUInt64(1)]) AS per_dow
FROM events
WHERE event_type = 'sign_up'
GROUP BY platform
ORDER BY platform