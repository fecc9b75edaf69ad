SELECT platform, count() AS events
FROM events
GROUP BY platform WITH TOTALS
ORDER BY platform