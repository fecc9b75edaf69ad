-- Exact aggregates added by issue 16: variance / deviation / covariance / correlation
-- (rounded: summation order changes the last bits), quantilesExact, groupArray and
-- groupUniqArray (sorted before printing), topK where it is exact (fewer distinct values than
-- its 3 * k table, and distinct counts, so no ties), sumMap (numeric keys: 18.16 refuses String
-- keys), uniqExact with several arguments.

-- name: var_stddev_hour
SELECT round(varPop(toHour(event_time)), 4) AS vp, round(varSamp(toHour(event_time)), 4) AS vs,
       round(stddevPop(toHour(event_time)), 4) AS sp, round(stddevSamp(toHour(event_time)), 4) AS ss
FROM events

-- name: var_stddev_per_platform
SELECT platform, round(varPop(toHour(event_time)), 4) AS vp, round(stddevSamp(toHour(event_time)), 4) AS ss
FROM events
GROUP BY platform
ORDER BY platform

-- name: covar_corr
SELECT round(covarPop(toHour(event_time), toDayOfWeek(event_time)), 4) AS cp,
       round(covarSamp(toHour(event_time), toDayOfWeek(event_time)), 4) AS cs,
       round(corr(toHour(event_time), toDayOfWeek(event_time)), 4) AS r
FROM events

-- name: corr_per_user_activity
SELECT round(corr(events, days), 4) AS r, round(covarPop(events, days), 4) AS cp
FROM
(
    SELECT user_id, count() AS events, uniqExact(toDate(event_time)) AS days FROM events GROUP BY user_id
)

-- name: var_events_per_user_by_country
SELECT country, count() AS users, round(varSamp(events), 4) AS v, round(stddevPop(events), 4) AS sd
FROM
(
    SELECT user_id, min(country) AS country, count() AS events FROM events GROUP BY user_id
)
GROUP BY country
HAVING users > 50
ORDER BY country

-- name: stats_if_combinators
SELECT round(varPopIf(toHour(event_time), platform = 'ios'), 4) AS v_ios,
       round(stddevSampIf(toHour(event_time), platform = 'web'), 4) AS s_web,
       round(corrIf(toHour(event_time), toDayOfMonth(event_time), event_type = 'purchase'), 4) AS r_purchase
FROM events

-- name: quantiles_exact_multi
SELECT quantilesExact(0.1, 0.5, 0.9, 1)(toHour(event_time)) AS q
FROM events

-- name: quantiles_exact_per_type
SELECT event_type, quantilesExact(0.25, 0.75)(toHour(event_time)) AS q, quantileExact(0.99)(toDayOfMonth(event_time)) AS d99
FROM events
GROUP BY event_type
ORDER BY event_type

-- name: quantile_exact_events_per_user
SELECT quantileExact(0.5)(n) AS median, quantileExact(0.9)(n) AS p90, quantilesExact(0.01, 0.99)(n) AS tails
FROM
(
    SELECT user_id, count() AS n FROM events GROUP BY user_id
)

-- name: group_array_sorted_small
SELECT user_id, arraySort(groupArray(event_type)) AS types
FROM events
WHERE country = 'SE' AND event_type IN ('purchase', 'app_crash', 'sign_up')
GROUP BY user_id
ORDER BY user_id

-- name: group_uniq_array_sorted_versions
SELECT country, arraySort(groupUniqArray(app_version)) AS versions
FROM events
GROUP BY country
ORDER BY country

-- name: group_uniq_array_if
SELECT platform, arraySort(groupUniqArrayIf(country, event_type = 'app_crash')) AS crash_countries
FROM events
GROUP BY platform
ORDER BY platform

-- name: topk_platform_exact
SELECT topK(3)(platform) AS top_platforms
FROM events

-- name: topk_event_types_exact
SELECT topK(5)(event_type) AS top5
FROM events

-- name: topk_per_platform_device
SELECT platform, topK(2)(device_type) AS devices
FROM events
GROUP BY platform
ORDER BY platform

-- name: uniq_exact_multi_arg
SELECT uniqExact(user_id, toDate(event_time)) AS user_days, uniqExact(platform, device_type) AS combos
FROM events

-- name: min_max_strings_and_dates
SELECT min(city) AS min_city, max(city) AS max_city, min(toDate(event_time)) AS first_day,
       max(toDate(event_time)) AS last_day, min(app_version) AS min_ver, max(app_version) AS max_ver
FROM events

-- name: avg_sum_count_exact
SELECT event_type, count() AS n, sum(toHour(event_time)) AS hours, round(avg(toHour(event_time)), 4) AS avg_hour,
       min(toInt64(event_id)) AS min_id, max(toInt64(event_id)) AS max_id
FROM events
GROUP BY event_type
ORDER BY event_type

-- name: argmin_argmax_per_user
SELECT user_id, argMin(event_type, toInt64(event_id)) AS first_type, argMax(event_type, toInt64(event_id)) AS last_type,
       argMax(toHour(event_time), toInt64(event_id)) AS last_hour
FROM events
WHERE country = 'TH'
GROUP BY user_id
ORDER BY user_id

-- name: group_array_limited_sorted_input
SELECT arraySort(groupArray(n)) AS ns
FROM
(
    SELECT toDayOfMonth(event_time) AS n FROM events WHERE event_type = 'app_crash' AND country = 'US'
)

-- name: summap_hour_counts
SELECT sumMap([toHour(event_time)], [toUInt64(1)]) AS per_hour
FROM events
WHERE event_type = 'purchase'

-- name: summap_per_platform
SELECT platform, sumMap([toDayOfWeek(event_time)], [toUInt64(1)]) AS per_dow
FROM events
WHERE event_type = 'sign_up'
GROUP BY platform
ORDER BY platform

-- name: summap_two_keys_per_row
SELECT sumMap([toUInt8(1), toUInt8(2)], [toUInt64(toHour(event_time)), toUInt64(toDayOfMonth(event_time))]) AS sums
FROM events
WHERE event_type = 'login'
