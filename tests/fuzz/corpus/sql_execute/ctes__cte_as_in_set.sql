WITH buyers AS (SELECT user_id FROM events WHERE event_type = 'purchase')
SELECT event_type, count() AS events
FROM events
WHERE user_id IN buyers
GROUP BY event_type
ORDER BY events DESC, event_type