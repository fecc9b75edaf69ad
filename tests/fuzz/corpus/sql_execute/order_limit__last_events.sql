SELECT toDateTime(event_time) AS t, user_id, event_id, event_type
FROM events
ORDER BY t DESC, user_id DESC, event_id DESC
LIMIT 10