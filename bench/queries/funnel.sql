-- SPEC §9 funnel: windowFunnel(86400) over app_open -> view_item -> add_to_cart -> purchase,
-- users per level; toDateTime(event_time) as 18.16 needs DateTime (whole seconds both sides).
-- mirrors: tests/differential/queries/funnel.sql (which explains the ClickHouse override:
-- modern windowFunnel orders same-second steps by step index, 18.16 by storage order, so
-- ClickHouse runs the modern semantics spelled out on a scaled UInt32 timestamp).
-- clickhouse: SELECT level, count() AS users
-- clickhouse: FROM
-- clickhouse: (
-- clickhouse:     SELECT user_id,
-- clickhouse:            windowFunnel(691207)(
-- clickhouse:                toUInt32((toUInt32(event_time) - 1790000000) * 8
-- clickhouse:                         + multiIf(event_type = 'app_open', 0, event_type = 'view_item', 1,
-- clickhouse:                                   event_type = 'add_to_cart', 2, 3)),
-- clickhouse:                event_type = 'app_open', event_type = 'view_item',
-- clickhouse:                event_type = 'add_to_cart', event_type = 'purchase') AS level
-- clickhouse:     FROM events
-- clickhouse:     GROUP BY user_id
-- clickhouse: )
-- clickhouse: GROUP BY level
-- clickhouse: ORDER BY level
-- DuckDB has no windowFunnel: the modern (non-strict) algorithm as window functions. Rows
-- sorted by (second, step); for a step-k row, p_k = the latest chain start that reached step
-- k-1 on an earlier row; the row extends that chain when it is within 86400 s of its start
-- (inclusive). Later chain starts are never worse, so the running max is ClickHouse's
-- greedy choice; a user's level is the deepest step any row reached (0: no app_open).
-- duckdb: WITH steps AS (
-- duckdb:     SELECT user_id, CAST(epoch(event_time) AS BIGINT) AS ts,
-- duckdb:            CASE event_type WHEN 'app_open' THEN 0 WHEN 'view_item' THEN 1
-- duckdb:                            WHEN 'add_to_cart' THEN 2 ELSE 3 END AS step
-- duckdb:     FROM events
-- duckdb:     WHERE event_type IN ('app_open', 'view_item', 'add_to_cart', 'purchase')
-- duckdb: ),
-- duckdb: l0 AS (SELECT *, CASE WHEN step = 0 THEN ts END AS start0 FROM steps),
-- duckdb: w1 AS (SELECT *, CASE WHEN step = 1 THEN max(start0) OVER w END AS p1 FROM l0
-- duckdb:        WINDOW w AS (PARTITION BY user_id ORDER BY ts, step
-- duckdb:                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)),
-- duckdb: l1 AS (SELECT *, CASE WHEN ts <= p1 + 86400 THEN p1 END AS start1 FROM w1),
-- duckdb: w2 AS (SELECT *, CASE WHEN step = 2 THEN max(start1) OVER w END AS p2 FROM l1
-- duckdb:        WINDOW w AS (PARTITION BY user_id ORDER BY ts, step
-- duckdb:                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)),
-- duckdb: l2 AS (SELECT *, CASE WHEN ts <= p2 + 86400 THEN p2 END AS start2 FROM w2),
-- duckdb: w3 AS (SELECT *, CASE WHEN step = 3 THEN max(start2) OVER w END AS p3 FROM l2
-- duckdb:        WINDOW w AS (PARTITION BY user_id ORDER BY ts, step
-- duckdb:                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)),
-- duckdb: l3 AS (SELECT *, CASE WHEN ts <= p3 + 86400 THEN p3 END AS start3 FROM w3),
-- duckdb: per_user AS (
-- duckdb:     SELECT user_id,
-- duckdb:            max(CASE WHEN start3 IS NOT NULL THEN 4 WHEN start2 IS NOT NULL THEN 3
-- duckdb:                     WHEN start1 IS NOT NULL THEN 2 WHEN step = 0 THEN 1 ELSE 0 END) AS level
-- duckdb:     FROM l3
-- duckdb:     GROUP BY user_id
-- duckdb: )
-- duckdb: SELECT coalesce(p.level, 0) AS level, count(*) AS users
-- duckdb: FROM (SELECT DISTINCT user_id FROM events) AS u
-- duckdb: LEFT JOIN per_user AS p ON p.user_id = u.user_id
-- duckdb: GROUP BY coalesce(p.level, 0)
-- duckdb: ORDER BY level
SELECT level, count() AS users
FROM
(
    SELECT user_id,
           windowFunnel(86400)(toDateTime(event_time),
                               event_type = 'app_open', event_type = 'view_item',
                               event_type = 'add_to_cart', event_type = 'purchase') AS level
    FROM events
    GROUP BY user_id
)
GROUP BY level
ORDER BY level
