-- SPEC §9 revenue: per country, revenue and buyers from purchase events.
-- 18.16 has no JSONExtract* (added in 19.x): ClickHouse runs visitParamExtractFloat instead.
-- clickhouse: SELECT country, round(sum(visitParamExtractFloat(properties, 'price')), 2) AS revenue,
-- clickhouse:        uniqExact(user_id) AS buyers
-- clickhouse: FROM events WHERE event_type = 'purchase'
-- clickhouse: GROUP BY country ORDER BY revenue DESC, country
SELECT country, round(sum(JSONExtractFloat(properties, 'price')), 2) AS revenue,
       uniqExact(user_id) AS buyers
FROM events
WHERE event_type = 'purchase'
GROUP BY country
ORDER BY revenue DESC, country
