-- Math functions on constants and columns: sqrt, log/log2/log10, exp, pow, greatest/least
-- (numbers only: 18.16 refuses String arguments), abs, ceil/floor, intDiv, modulo. Results that
-- are not exact in binary are rounded (round(x, 4)); -inf and nan print literally. No ties in
-- round(): 18.16 rounds half away from zero (round(-2.5) = -3), modern half to even.

-- name: constants_exact
SELECT sqrt(16) AS s, pow(2, 10) AS p, log2(8) AS l2, log10(1000) AS l10, exp(0) AS e0, log(1) AS l1

-- name: constants_rounded
SELECT round(sqrt(2), 4) AS s2, round(exp(1), 4) AS e1, round(log(10), 4) AS ln10, round(pow(2, 0.5), 4) AS p05

-- name: special_values
SELECT log(0) AS minus_inf, sqrt(-1) AS nan_value, pow(0, 0) AS one, exp(-1000) AS zero

-- name: greatest_least_numbers
SELECT greatest(1, 2.5) AS g, least(3, 2) AS l, greatest(toUInt8(3), toInt64(-5)) AS gi, least(-1, 0.5) AS lf

-- name: greatest_least_columns
SELECT toHour(event_time) AS h, toDayOfMonth(event_time) AS d, greatest(h, d) AS g, least(h, d) AS l, count() AS events
FROM events
WHERE event_type = 'app_crash' AND platform = 'web'
GROUP BY h, d
ORDER BY h, d

-- name: sqrt_of_counts
SELECT platform, count() AS n, round(sqrt(count()), 4) AS root, round(log(count()), 4) AS ln, round(log2(count()), 4) AS lg2
FROM events
GROUP BY platform
ORDER BY platform

-- name: log_buckets_events_per_user
SELECT floor(log2(n)) AS bucket, count() AS users
FROM
(
    SELECT user_id, count() AS n FROM events GROUP BY user_id
)
GROUP BY bucket
ORDER BY bucket

-- name: pow_exp_on_hours
SELECT round(sum(pow(toHour(event_time), 2)), 4) AS sq, round(avg(exp(toHour(event_time) / 24)), 4) AS e
FROM events

-- name: stddev_by_hand
SELECT round(sqrt(avg(pow(toHour(event_time), 2)) - pow(avg(toHour(event_time)), 2)), 4) AS by_hand,
       round(stddevPop(toHour(event_time)), 4) AS builtin
FROM events

-- name: abs_ceil_floor_intdiv
SELECT abs(-3) AS a, ceil(2.1) AS c, floor(-2.1) AS f, intDiv(17, 5) AS q, 17 % 5 AS r, -17 % 5 AS nr

-- name: hour_distance_from_noon
SELECT abs(toInt32(toHour(event_time)) - 12) AS distance, count() AS events
FROM events
WHERE event_type = 'purchase'
GROUP BY distance
ORDER BY distance

-- name: geometric_mean_items
SELECT platform, round(exp(avg(log(n))), 4) AS geo_mean
FROM
(
    SELECT user_id, min(platform) AS platform, count() AS n FROM events GROUP BY user_id
)
GROUP BY platform
ORDER BY platform

-- name: math_in_where
SELECT count() AS events
FROM events
WHERE sqrt(toHour(event_time)) > 3 AND pow(toDayOfMonth(event_time), 2) < 50
