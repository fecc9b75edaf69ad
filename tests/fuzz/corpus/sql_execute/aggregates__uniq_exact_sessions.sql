SELECT toDate(event_time) AS day, uniqExact(session_id) AS sessions, uniqExact(device_model) AS models
FROM events
GROUP BY day
ORDER BY day