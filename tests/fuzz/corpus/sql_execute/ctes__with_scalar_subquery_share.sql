WITH (SELECT count() FROM events) AS total
SELECT platform, round(count() / total, 4) AS share
FROM events
GROUP BY platform
ORDER BY platform