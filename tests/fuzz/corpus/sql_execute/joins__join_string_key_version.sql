SELECT app_version, users, crashes
FROM
(
    SELECT app_version, uniqExact(user_id) AS users FROM events GROUP BY app_version
)
ALL INNER JOIN
(
    SELECT app_version, count() AS crashes FROM events WHERE event_type = 'app_crash' GROUP BY app_version
) USING app_version
ORDER BY app_version