-- SPEC §9 retention_day: of the users active on X = 2026-10-01, how many were active on
-- X+1, X+7 and X+14. The conditions are mutually exclusive per row (one day each), so
-- 18.16's retention() agrees with the modern one.
-- mirrors: tests/differential/queries/retention_day.sql
-- DuckDB has no retention(): r[1] = active on X; r[k] = active on X and on day k.
-- duckdb: SELECT sum(a) AS active_x, sum(a * b) AS x_plus_1, sum(a * c) AS x_plus_7,
-- duckdb:        sum(a * d) AS x_plus_14
-- duckdb: FROM
-- duckdb: (
-- duckdb:     SELECT user_id,
-- duckdb:            max(CASE WHEN day = DATE '2026-10-01' THEN 1 ELSE 0 END) AS a,
-- duckdb:            max(CASE WHEN day = DATE '2026-10-02' THEN 1 ELSE 0 END) AS b,
-- duckdb:            max(CASE WHEN day = DATE '2026-10-08' THEN 1 ELSE 0 END) AS c,
-- duckdb:            max(CASE WHEN day = DATE '2026-10-15' THEN 1 ELSE 0 END) AS d
-- duckdb:     FROM (SELECT user_id, CAST(event_time AS DATE) AS day FROM events)
-- duckdb:     WHERE day IN (DATE '2026-10-01', DATE '2026-10-02', DATE '2026-10-08', DATE '2026-10-15')
-- duckdb:     GROUP BY user_id
-- duckdb: )
SELECT sum(r[1]) AS active_x, sum(r[2]) AS x_plus_1, sum(r[3]) AS x_plus_7, sum(r[4]) AS x_plus_14
FROM
(
    SELECT user_id,
           retention(toDate(event_time) = toDate('2026-10-01'),
                     toDate(event_time) = toDate('2026-10-02'),
                     toDate(event_time) = toDate('2026-10-08'),
                     toDate(event_time) = toDate('2026-10-15')) AS r
    FROM events
    WHERE toDate(event_time) IN (toDate('2026-10-01'), toDate('2026-10-02'),
                                 toDate('2026-10-08'), toDate('2026-10-15'))
    GROUP BY user_id
)
