SELECT event_type, count() AS events
FROM events
WHERE user_id IN
(
    SELECT user_id FROM events WHERE event_type = 'app_crash'
    UNION ALL
    SELECT user_id FROM events WHERE event_type = 'purchase' AND country = 'SE'
)
GROUP BY event_type
ORDER BY events DESC, event_type