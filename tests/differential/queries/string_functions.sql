-- String functions with ClickHouse semantics: lower/upper change ASCII letters only,
-- length counts bytes (UTF-8 'São Paulo' is 10), substring/position are 1-based bytes.

-- name: lower_upper
SELECT lower(country) AS c, upper(platform) AS p, count() AS events
FROM events
GROUP BY c, p
ORDER BY c, p

-- name: lower_upper_non_ascii
SELECT region, lower(region) AS lo, upper(city) AS up
FROM events
WHERE country IN ('FR', 'BR', 'DE', 'TR')
GROUP BY region, city
ORDER BY region, up

-- name: length_bytes
SELECT city, length(city) AS bytes, length(region) AS region_bytes
FROM events
GROUP BY city, region
ORDER BY bytes DESC, city, region

-- name: concat
SELECT concat(platform, '/', app_version) AS pv, count() AS events
FROM events
GROUP BY pv
ORDER BY pv

-- name: concat_many
SELECT concat(country, '-', region, '-', city, '!') AS place, uniqExact(user_id) AS users
FROM events
WHERE platform = 'web'
GROUP BY place
ORDER BY place

-- name: substring_prefix
SELECT substring(user_id, 1, 1) AS first_char, uniqExact(user_id) AS users
FROM events
GROUP BY first_char
ORDER BY first_char

-- name: substring_two_args
SELECT substring(device_model, 8) AS tail, count() AS events
FROM events
WHERE device_model LIKE 'Google %'
GROUP BY tail
ORDER BY tail

-- name: substring_middle
SELECT substring(os_version, 1, 2) AS major, platform, uniqExact(user_id) AS users
FROM events
GROUP BY major, platform
ORDER BY platform, major

-- name: position
SELECT device_model, position(device_model, ' ') AS first_space, position(device_model, 'zz') AS none
FROM events
GROUP BY device_model
ORDER BY device_model

-- name: to_string_concat
SELECT concat(toString(toHour(event_time)), 'h') AS h, count() AS events
FROM events
WHERE event_type = 'app_crash'
GROUP BY h
ORDER BY h

-- name: length_filter
SELECT length(user_id) AS len, uniqExact(user_id) AS users
FROM events
GROUP BY len
ORDER BY len

-- name: json_extract_string
-- 18.16 has no JSONExtractString: visitParamExtractString agrees on these flat ASCII values.
-- clickhouse: SELECT visitParamExtractString(properties, 'screen') AS screen, count() AS events
-- clickhouse: FROM events WHERE event_type IN ('screen_view', 'click', 'app_crash')
-- clickhouse: GROUP BY screen ORDER BY screen
SELECT JSONExtractString(properties, 'screen') AS screen, count() AS events
FROM events
WHERE event_type IN ('screen_view', 'click', 'app_crash')
GROUP BY screen
ORDER BY screen

-- name: json_extract_string_missing_key
-- clickhouse: SELECT event_type, visitParamExtractString(properties, 'currency') AS currency, count() AS events
-- clickhouse: FROM events WHERE event_type IN ('purchase', 'login') GROUP BY event_type, currency ORDER BY event_type, currency
SELECT event_type, JSONExtractString(properties, 'currency') AS currency, count() AS events
FROM events
WHERE event_type IN ('purchase', 'login')
GROUP BY event_type, currency
ORDER BY event_type, currency

-- name: json_has
-- clickhouse: SELECT event_type, countIf(visitParamHas(properties, 'price')) AS with_price,
-- clickhouse:        countIf(visitParamHas(properties, 'item_id')) AS with_item
-- clickhouse: FROM events GROUP BY event_type ORDER BY event_type
SELECT event_type, countIf(JSONHas(properties, 'price')) AS with_price,
       countIf(JSONHas(properties, 'item_id')) AS with_item
FROM events
GROUP BY event_type
ORDER BY event_type

-- name: json_extract_int_group
-- clickhouse: SELECT visitParamExtractInt(properties, 'quantity') AS quantity, count() AS carts
-- clickhouse: FROM events WHERE event_type = 'add_to_cart' GROUP BY quantity ORDER BY quantity
SELECT JSONExtractInt(properties, 'quantity') AS quantity, count() AS carts
FROM events
WHERE event_type = 'add_to_cart'
GROUP BY quantity
ORDER BY quantity

-- name: properties_text
-- The stored properties text: normalized compact JSON, identical on both sides.
SELECT toInt64(event_id) AS seq, event_type, properties
FROM events
WHERE user_id IN ('u92', 'u56', 'u171')
ORDER BY user_id, seq

-- name: properties_purchases
SELECT user_id, toInt64(event_id) AS seq, properties
FROM events
WHERE event_type = 'purchase' AND country = 'CL'
ORDER BY user_id, seq
