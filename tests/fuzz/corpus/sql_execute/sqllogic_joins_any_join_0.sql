SELECT s2
FROM (SELECT number AS x FROM numbers(5))
RIGHT ANTI JOIN
(SELECT toUInt64(multiIf(number < 2, 2, number < 5, 4, 5)) AS x, concat('b', toString(number + 1)) AS s2 FROM numbers(6))
USING x
ORDER BY s2