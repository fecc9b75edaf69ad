SELECT count() AS pairs, uniqExact(a, b) AS distinct_pairs
FROM
(
    SELECT DISTINCT country AS a FROM events
)
CROSS JOIN
(
    SELECT DISTINCT app_version AS b FROM events
)