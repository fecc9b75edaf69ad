SELECT user_id, sequenceCount('(?2)')(toDateTime(event_time), event_type = 'login', event_type = 'purchase') AS c, countIf(event_type = 'purchase') AS check
FROM events
WHERE country = 'SE'
GROUP BY user_id
ORDER BY user_id