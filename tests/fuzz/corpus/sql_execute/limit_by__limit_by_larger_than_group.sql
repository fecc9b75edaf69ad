SELECT platform, device_type, count() AS events
FROM events
GROUP BY platform, device_type
ORDER BY platform, events DESC, device_type
LIMIT 10 BY platform