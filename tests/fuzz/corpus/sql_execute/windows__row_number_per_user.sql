SELECT user_id, toInt64(event_id) AS id, event_type,
       row_number() OVER (PARTITION BY user_id ORDER BY toInt64(event_id)) AS rn
FROM events
WHERE country = 'SE' AND event_type IN ('search', 'share', 'purchase')
ORDER BY user_id, id