SELECT city, count() AS events
FROM events
WHERE match(city, '^S[a-z]')
GROUP BY city
ORDER BY city