SELECT country, city, count() AS events
FROM events
GROUP BY country, city
ORDER BY country, events DESC, city
LIMIT 1 BY country