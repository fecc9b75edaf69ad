SELECT app_version, extractAll(app_version, '\\d+') AS numbers
FROM events
GROUP BY app_version
ORDER BY app_version