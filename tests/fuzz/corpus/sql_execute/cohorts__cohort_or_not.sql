SELECT platform, uniqExact(user_id) AS users
FROM events
WHERE user_id IN (SELECT user_id FROM events WHERE event_type = 'share')
   OR user_id NOT IN (SELECT user_id FROM events WHERE event_type = 'search')
GROUP BY platform
ORDER BY platform