SELECT platform, uniqExact(user_id) AS buyers
FROM events
WHERE user_id IN (SELECT user_id FROM events WHERE event_type = 'purchase')
GROUP BY platform
ORDER BY platform