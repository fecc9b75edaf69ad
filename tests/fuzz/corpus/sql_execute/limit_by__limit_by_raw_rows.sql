SELECT user_id, toInt64(event_id) AS id, event_type
FROM events
WHERE country = 'SE' AND event_type = 'purchase'
ORDER BY user_id, id
LIMIT 1 BY user_id