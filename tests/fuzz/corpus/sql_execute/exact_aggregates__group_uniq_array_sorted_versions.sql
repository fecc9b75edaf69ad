SELECT country, arraySort(groupUniqArray(app_version)) AS versions
FROM events
GROUP BY country
ORDER BY country