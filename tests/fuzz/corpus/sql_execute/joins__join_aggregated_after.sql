SELECT only_platform, count() AS users, sum(sessions) AS s, round(avg(sessions), 4) AS avg_sessions
FROM
(
    SELECT user_id, min(platform) AS only_platform
    FROM events
    GROUP BY user_id
    HAVING uniqExact(platform) = 1
)
ALL INNER JOIN
(
    SELECT user_id, uniqExact(session_id) AS sessions FROM events GROUP BY user_id
) USING user_id
GROUP BY only_platform
ORDER BY only_platform