SELECT country, events, total, round(events / total, 4) AS share
FROM
(
    SELECT country, count() AS events, 1 AS k FROM events GROUP BY country
)
ALL INNER JOIN
(
    SELECT count() AS total, 1 AS k FROM events
) USING k
ORDER BY events DESC, country