-- More GROUP BY ... WITH TOTALS: count/uniqExact/sum/avg totals, HAVING (the totals cover only
-- the groups it keeps), ORDER BY + LIMIT/OFFSET (no effect on the totals), no GROUP BY, key
-- expressions (computed on the default keys), a subquery's totals passed through an outer
-- WHERE, and the TabSeparatedWithNames/CSV formats (an empty line, then the totals row). FORMAT
-- JSON cannot be compared byte for byte ("statistics" holds the elapsed time): its totals
-- member is checked by tests/query/totals_format_test.cc and sqllogic select/with_totals.test.
-- No Date/DateTime keys (a default Date prints 0000-00-00 on 18.16).

-- name: totals_sum_avg
SELECT event_type, count() AS events, uniqExact(user_id) AS users, sum(toHour(event_time)) AS hour_sum, round(avg(toHour(event_time)), 3) AS avg_hour
FROM events
GROUP BY event_type WITH TOTALS
ORDER BY event_type

-- name: totals_having_users
SELECT country, uniqExact(user_id) AS users, count() AS events
FROM events
GROUP BY country WITH TOTALS
HAVING users >= 100
ORDER BY country

-- name: totals_having_order_limit
SELECT app_version, count() AS events, uniqExact(user_id) AS users
FROM events
GROUP BY app_version WITH TOTALS
HAVING events > 1000
ORDER BY events DESC, app_version
LIMIT 3

-- name: totals_limit_offset
SELECT platform, device_type, uniqExact(user_id) AS users
FROM events
GROUP BY platform, device_type WITH TOTALS
ORDER BY users DESC, platform, device_type
LIMIT 2 OFFSET 1

-- name: totals_no_group_by
SELECT count() AS events, uniqExact(user_id) AS users, sum(toHour(event_time)) AS hours
FROM events
WITH TOTALS

-- name: totals_key_expression
SELECT concat(platform, '/', device_type) AS pd, count() AS events
FROM events
GROUP BY platform, device_type WITH TOTALS
ORDER BY pd

-- name: totals_count_if_having
SELECT toYYYYMMDD(event_time) AS day, countIf(event_type = 'purchase') AS purchases, uniqExact(user_id) AS users
FROM events
WHERE event_type IN ('purchase', 'add_to_cart')
GROUP BY day WITH TOTALS
HAVING purchases > 0
ORDER BY day

-- name: totals_subquery_passthrough
SELECT platform, events * 2 AS doubled
FROM
(
    SELECT platform, count() AS events FROM events GROUP BY platform WITH TOTALS
)
WHERE events > 0
ORDER BY platform

-- name: totals_format_tsv_with_names
SELECT platform, count() AS events, uniqExact(user_id) AS users
FROM events
GROUP BY platform WITH TOTALS
ORDER BY platform
FORMAT TabSeparatedWithNames

-- name: totals_format_csv
SELECT event_type, uniqExact(user_id) AS users, sum(toHour(event_time)) AS hour_sum
FROM events
GROUP BY event_type WITH TOTALS
ORDER BY event_type
FORMAT CSV

-- name: totals_format_csv_with_names_having
SELECT country, count() AS events
FROM events
GROUP BY country WITH TOTALS
HAVING events > 5000
ORDER BY country
FORMAT CSVWithNames
