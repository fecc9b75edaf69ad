SELECT sum(rn), sum(coalesce(rn, 0) + 1)
FROM (SELECT number + 1 AS k FROM numbers(3))
ALL LEFT JOIN
(SELECT number + 2 AS k, (number + 2) * 100 AS rn FROM numbers(3))
USING k
SETTINGS join_use_nulls = 1