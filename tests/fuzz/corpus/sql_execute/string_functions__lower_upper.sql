SELECT lower(country) AS c, upper(platform) AS p, count() AS events
FROM events
GROUP BY c, p
ORDER BY c, p