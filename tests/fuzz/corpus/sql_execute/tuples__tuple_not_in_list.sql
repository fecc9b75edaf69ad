SELECT count() AS events
FROM events
WHERE (platform, device_type) NOT IN (('ios', 'phone'), ('android', 'phone'))