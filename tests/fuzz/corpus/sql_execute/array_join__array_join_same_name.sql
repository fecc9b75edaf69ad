SELECT arr, count() AS c
FROM (SELECT user_id, [platform, device_type] AS arr FROM events WHERE country = 'CL')
ARRAY JOIN arr
GROUP BY arr
ORDER BY arr