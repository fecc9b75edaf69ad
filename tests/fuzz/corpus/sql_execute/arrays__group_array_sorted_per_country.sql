SELECT country, arraySort(groupUniqArray(city)) AS cities, length(cities) AS n
FROM events
GROUP BY country
ORDER BY n DESC, country
LIMIT 8