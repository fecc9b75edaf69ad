-- SPEC §9 revenue: per country, revenue and buyers from purchase events.
-- mirrors: tests/differential/queries/revenue.sql
-- 18.16 has no JSONExtract* (added in 19.x): ClickHouse runs visitParamExtractFloat instead.
-- clickhouse: SELECT country, round(sum(visitParamExtractFloat(properties, 'price')), 2) AS revenue,
-- clickhouse:        uniqExact(user_id) AS buyers
-- clickhouse: FROM events WHERE event_type = 'purchase'
-- clickhouse: GROUP BY country ORDER BY revenue DESC, country
-- DuckDB: json_extract_string + TRY_CAST; a missing or non-numeric price counts 0 as in ClickHouse.
-- duckdb: SELECT country,
-- duckdb:        round(sum(coalesce(TRY_CAST(json_extract_string(properties, '$.price') AS DOUBLE), 0)), 2)
-- duckdb:            AS revenue,
-- duckdb:        count(DISTINCT user_id) AS buyers
-- duckdb: FROM events WHERE event_type = 'purchase'
-- duckdb: GROUP BY country ORDER BY revenue DESC, country
SELECT country, round(sum(JSONExtractFloat(properties, 'price')), 2) AS revenue,
       uniqExact(user_id) AS buyers
FROM events
WHERE event_type = 'purchase'
GROUP BY country
ORDER BY revenue DESC, country
