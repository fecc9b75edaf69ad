SELECT t.2 AS country, t.1 AS n
FROM
(
    SELECT (count(), country) AS t FROM events WHERE platform = 'web' GROUP BY country
)
ORDER BY n DESC, country
LIMIT 5