-- SPEC §9 funnel: windowFunnel(86400) over app_open -> view_item -> add_to_cart -> purchase,
-- users per level; toDateTime(event_time) as 18.16 needs DateTime (whole seconds both sides).
-- Some users have two steps in one second. Modern ClickHouse (and MUA) order such ties by
-- step index; 18.16 keeps storage order (non-deterministic). So ClickHouse runs the modern
-- semantics spelled out: UInt32 timestamp 8 * (second - 1790000000) + step index (< 8), so ties
-- sort by step, and window 8 * 86400 + 7, which is inclusive at exactly 86400 s like the
-- original (checked against an independent implementation of the modern definition).
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
