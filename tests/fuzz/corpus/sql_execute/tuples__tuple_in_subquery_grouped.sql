SELECT event_type, count() AS events
FROM events
WHERE (user_id, session_id) IN
(
    SELECT user_id, session_id FROM events WHERE event_type = 'app_crash'
)
GROUP BY event_type
ORDER BY events DESC, event_type