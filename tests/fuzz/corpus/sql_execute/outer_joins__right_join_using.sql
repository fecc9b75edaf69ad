SELECT country, web_users, crash_users
FROM
(
    SELECT country, uniqExact(user_id) AS web_users FROM events WHERE platform = 'web' GROUP BY country
)
ALL RIGHT JOIN
(
    SELECT country, uniqExact(user_id) AS crash_users FROM events WHERE event_type = 'app_crash' GROUP BY country
) USING country
ORDER BY country