SELECT event_type, count() AS events
FROM events
GROUP BY event_type
ORDER BY event_type