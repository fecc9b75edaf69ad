SELECT user_id, count() AS events
FROM events
GROUP BY user_id
ORDER BY events DESC, user_id
LIMIT 5