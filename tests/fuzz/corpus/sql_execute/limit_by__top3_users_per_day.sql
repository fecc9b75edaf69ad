SELECT toDate(event_time) AS day, user_id, count() AS events
FROM events
GROUP BY day, user_id
ORDER BY day, events DESC, user_id
LIMIT 3 BY day