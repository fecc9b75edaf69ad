SELECT x, y
FROM
(
    SELECT 1 AS x, 'a' AS y
    UNION ALL
    SELECT 2 AS x, 'b' AS y
    UNION ALL
    SELECT 3 AS x, 'c' AS y
)
ORDER BY x