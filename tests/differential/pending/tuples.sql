-- Tuples outside IN lists: tuple() and (a, b) literals, tupleElement and t.N, tuple IN a list
-- and IN a subquery; TabSeparated prints a tuple as ('a',1).

-- name: tuple_equality
SELECT count() AS events
FROM events
WHERE (platform, country) = ('ios', 'US')
