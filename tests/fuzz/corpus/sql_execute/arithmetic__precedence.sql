SELECT 1 + 2 * 3 - 4 / 2 AS a, (1 + 2) * 3 AS b, 7 % 3 + 1 AS c, count() AS n
FROM events
WHERE platform = 'web'