SELECT web_users = 0 AS no_web, count() AS countries, sum(crash_users) AS crash_users
FROM
(
    SELECT country, uniqExact(user_id) AS web_users FROM events WHERE platform = 'web' GROUP BY country
)
ALL RIGHT JOIN
(
    SELECT country, uniqExact(user_id) AS crash_users FROM events WHERE event_type = 'app_crash' GROUP BY country
) USING country
GROUP BY no_web
ORDER BY no_web