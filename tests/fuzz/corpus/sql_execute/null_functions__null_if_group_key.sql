SELECT nullIf(device_type, 'tablet') AS device, count() AS events
FROM events
GROUP BY device
ORDER BY events DESC