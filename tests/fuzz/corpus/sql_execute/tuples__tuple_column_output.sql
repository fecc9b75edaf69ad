SELECT (platform, device_type) AS pd, count() AS events
FROM events
GROUP BY pd
ORDER BY events DESC