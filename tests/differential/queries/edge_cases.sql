-- Empty results, all rows, LIMIT 0, output escaping, case-insensitive keywords.

-- name: limit_zero
-- expect-empty
SELECT user_id, count() AS events FROM events GROUP BY user_id ORDER BY user_id LIMIT 0

-- name: no_match_grouped
-- expect-empty
SELECT country, count() FROM events WHERE country = 'ZZ' GROUP BY country ORDER BY country

-- name: no_match_rows
-- expect-empty
SELECT user_id, event_id FROM events WHERE event_type = 'purchase' AND platform = 'no_such_platform' ORDER BY user_id, event_id

-- name: no_match_aggregates
-- Aggregates over no rows still give one row: 0 for count/uniqExact/sum.
SELECT count(), uniqExact(user_id), sum(toInt64(event_id)), countIf(platform = 'ios')
FROM events
WHERE country = 'ZZ'

-- name: no_match_avg_min_max
-- avg of nothing is nan; min/max of no strings is ''.
SELECT avg(toInt64(event_id)), min(city), max(country)
FROM events
WHERE event_time < '2000-01-01 00:00:00'

-- name: offset_past_end
-- expect-empty
SELECT app_version, count() AS events FROM events GROUP BY app_version ORDER BY app_version LIMIT 10 OFFSET 10

-- name: having_filters_all
-- expect-empty
SELECT platform, count() AS events FROM events GROUP BY platform HAVING count() > 100000000 ORDER BY platform

-- name: all_rows_where_true
SELECT count(), uniqExact(user_id), uniqExact(event_type) FROM events WHERE 1 = 1

-- name: all_rows_wide_time_range
SELECT count() FROM events WHERE event_time >= '2000-01-01 00:00:00' AND event_time < '2100-01-01 00:00:00'

-- name: limit_one
SELECT event_type, count() AS events FROM events GROUP BY event_type ORDER BY events DESC, event_type LIMIT 1

-- name: lowercase_keywords
select platform, count() as events from events where country = 'GB' group by platform order by platform

-- name: uppercase_aggregates
SELECT platform, COUNT() AS events, SUM(toInt64(event_id)) AS s, MIN(app_version) AS v, MAX(app_version) AS w
FROM events
GROUP BY platform
ORDER BY platform

-- name: select_alias_in_where
SELECT toDate(event_time) AS d, count() AS events
FROM events
WHERE d = '2026-10-03'
GROUP BY d

-- name: tsv_escaping
-- TabSeparated escapes backslash, tab and newline (and 18.16 escapes ' as \').
SELECT concat(platform, '\t', country, '\\', '\n', 'x') AS s, count() AS purchases
FROM events
WHERE event_type = 'purchase' AND country IN ('US', 'JP')
GROUP BY s
ORDER BY s

-- name: tsv_escaping_quote
SELECT concat('it''s ', platform) AS s, count() AS events
FROM events
GROUP BY s
ORDER BY s

-- name: string_literal_column
SELECT 'const' AS c, platform, count() AS events
FROM events
GROUP BY platform
ORDER BY platform

-- name: comment_in_query
SELECT count() /* block comment */ FROM events WHERE platform = 'web' -- trailing comment

-- name: single_group_many_aggregates
SELECT count(), uniqExact(user_id), uniqExact(session_id), uniqExact(event_type), uniqExact(device_model),
       uniqExact(country), uniqExact(region), uniqExact(city), uniqExact(os_version), uniqExact(app_version)
FROM events
