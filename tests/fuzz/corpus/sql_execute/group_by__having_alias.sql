SELECT event_type, uniqExact(user_id) AS users
FROM events
GROUP BY event_type
HAVING users > 1000
ORDER BY users DESC, event_type