SELECT count() AS events
FROM events
WHERE (platform, country) = ('ios', 'US')