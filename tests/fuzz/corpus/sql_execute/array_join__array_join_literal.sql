SELECT platform, k, count() AS events
FROM events
ARRAY JOIN [1, 2, 3] AS k
WHERE event_type = 'purchase'
GROUP BY platform, k
ORDER BY platform, k