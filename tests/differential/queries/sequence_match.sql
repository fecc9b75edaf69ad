-- sequenceMatch / sequenceCount. Modern ClickHouse (and MUA) sort a user's rows by time, ties by
-- the rows' condition bits (condition index for exclusive conditions); 18.16's sort is unstable
-- and the data has steps within one second. So ClickHouse runs the modern order spelled out
-- (as funnel.sql does): a DateTime of 8 * (second - 1790000000) + condition index, while MUA gets
-- toDateTime(event_time). Conditions are distinct event types (one per row); patterns have no
-- (?t...) terms, which the scaled time would distort.

-- name: match_view_then_cart_adjacent
-- clickhouse: SELECT m, count() AS users FROM (SELECT user_id, sequenceMatch('(?1)(?2)')(
-- clickhouse:   toDateTime(8 * (toUInt32(event_time) - 1790000000) + multiIf(event_type = 'view_item', 1, event_type = 'add_to_cart', 2, 0)),
-- clickhouse:   event_type = 'view_item', event_type = 'add_to_cart') AS m FROM events GROUP BY user_id) GROUP BY m ORDER BY m
SELECT m, count() AS users
FROM
(
    SELECT user_id, sequenceMatch('(?1)(?2)')(toDateTime(event_time), event_type = 'view_item', event_type = 'add_to_cart') AS m
    FROM events
    GROUP BY user_id
)
GROUP BY m
ORDER BY m

-- name: match_view_any_purchase
-- clickhouse: SELECT m, count() AS users FROM (SELECT user_id, sequenceMatch('(?1).*(?2)')(
-- clickhouse:   toDateTime(8 * (toUInt32(event_time) - 1790000000) + multiIf(event_type = 'view_item', 1, event_type = 'purchase', 2, 0)),
-- clickhouse:   event_type = 'view_item', event_type = 'purchase') AS m FROM events GROUP BY user_id) GROUP BY m ORDER BY m
SELECT m, count() AS users
FROM
(
    SELECT user_id, sequenceMatch('(?1).*(?2)')(toDateTime(event_time), event_type = 'view_item', event_type = 'purchase') AS m
    FROM events
    GROUP BY user_id
)
GROUP BY m
ORDER BY m

-- name: match_three_steps
-- clickhouse: SELECT m, count() AS users FROM (SELECT user_id, sequenceMatch('(?1).*(?2).*(?3)')(
-- clickhouse:   toDateTime(8 * (toUInt32(event_time) - 1790000000) + multiIf(event_type = 'view_item', 1, event_type = 'add_to_cart', 2, event_type = 'purchase', 3, 0)),
-- clickhouse:   event_type = 'view_item', event_type = 'add_to_cart', event_type = 'purchase') AS m FROM events GROUP BY user_id) GROUP BY m ORDER BY m
SELECT m, count() AS users
FROM
(
    SELECT user_id, sequenceMatch('(?1).*(?2).*(?3)')(toDateTime(event_time), event_type = 'view_item', event_type = 'add_to_cart', event_type = 'purchase') AS m
    FROM events
    GROUP BY user_id
)
GROUP BY m
ORDER BY m

-- name: count_view_cart_pairs
-- clickhouse: SELECT c, count() AS users FROM (SELECT user_id, sequenceCount('(?1)(?2)')(
-- clickhouse:   toDateTime(8 * (toUInt32(event_time) - 1790000000) + multiIf(event_type = 'view_item', 1, event_type = 'add_to_cart', 2, 0)),
-- clickhouse:   event_type = 'view_item', event_type = 'add_to_cart') AS c FROM events GROUP BY user_id) GROUP BY c ORDER BY c
SELECT c, count() AS users
FROM
(
    SELECT user_id, sequenceCount('(?1)(?2)')(toDateTime(event_time), event_type = 'view_item', event_type = 'add_to_cart') AS c
    FROM events
    GROUP BY user_id
)
GROUP BY c
ORDER BY c

-- name: count_search_then_view
-- clickhouse: SELECT sum(c) AS total, max(c) AS most FROM (SELECT user_id, sequenceCount('(?1).*(?2)')(
-- clickhouse:   toDateTime(8 * (toUInt32(event_time) - 1790000000) + multiIf(event_type = 'search', 1, event_type = 'view_item', 2, 0)),
-- clickhouse:   event_type = 'search', event_type = 'view_item') AS c FROM events GROUP BY user_id)
SELECT sum(c) AS total, max(c) AS most
FROM
(
    SELECT user_id, sequenceCount('(?1).*(?2)')(toDateTime(event_time), event_type = 'search', event_type = 'view_item') AS c
    FROM events
    GROUP BY user_id
)

-- name: count_single_step_pattern
-- clickhouse: SELECT user_id, sequenceCount('(?2)')(toDateTime(8 * (toUInt32(event_time) - 1790000000) + multiIf(event_type = 'login', 1, event_type = 'purchase', 2, 0)),
-- clickhouse:   event_type = 'login', event_type = 'purchase') AS c, countIf(event_type = 'purchase') AS check
-- clickhouse: FROM events WHERE country = 'SE' GROUP BY user_id ORDER BY user_id
SELECT user_id, sequenceCount('(?2)')(toDateTime(event_time), event_type = 'login', event_type = 'purchase') AS c, countIf(event_type = 'purchase') AS check
FROM events
WHERE country = 'SE'
GROUP BY user_id
ORDER BY user_id

-- name: match_per_platform_dot
-- clickhouse: SELECT platform, sum(m) AS users FROM (SELECT user_id, platform, sequenceMatch('(?1).(?2)')(
-- clickhouse:   toDateTime(8 * (toUInt32(event_time) - 1790000000) + multiIf(event_type = 'app_open', 1, event_type = 'login', 2, event_type = 'app_background', 3, 0)),
-- clickhouse:   event_type = 'app_open', event_type = 'login', event_type = 'app_background') AS m FROM events GROUP BY user_id, platform)
-- clickhouse: GROUP BY platform ORDER BY platform
SELECT platform, sum(m) AS users
FROM
(
    SELECT user_id, platform, sequenceMatch('(?1).(?2)')(toDateTime(event_time), event_type = 'app_open', event_type = 'login', event_type = 'app_background') AS m
    FROM events
    GROUP BY user_id, platform
)
GROUP BY platform
ORDER BY platform
