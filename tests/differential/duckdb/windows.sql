-- Window functions, MUA (ClickHouse syntax) vs DuckDB on the same events. Translation rules:
-- * toDate(event_time) -> CAST(event_time AS DATE); toHour -> hour(); toDayOfMonth -> day();
--   toInt64(event_id) -> CAST(event_id AS BIGINT); count() -> count(*); toUnixTimestamp(t)
--   -> CAST(floor(epoch(t)) AS BIGINT) (seconds, floored).
-- * lagInFrame/leadInFrame read inside the frame (ClickHouse); DuckDB's lag/lead ignore frames.
--   So the MUA side spells out a frame that holds the row asked for (ROWS BETWEEN UNBOUNDED
--   PRECEDING AND UNBOUNDED FOLLOWING) and DuckDB's lag(x, n, default) gives the same; where the
--   frame cuts the row off, DuckDB reads it with frame-aware nth_value / first_value over the
--   same frame. A missing row gives the type's default (0, '') in ClickHouse, never NULL, so
--   DuckDB passes that default explicitly.
-- * Every frame is written out on the DuckDB side (DuckDB's default with ORDER BY is the same
--   RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW as ClickHouse's, but we do not rely on it).
-- * Floats are rounded (round(x, 4)) and cast to DOUBLE in DuckDB (its literals are DECIMAL);
--   booleans are cast to INTEGER (ClickHouse prints a comparison as 0/1).
-- * ORDER BY in windows is total (ties broken by a unique key) wherever a row-based function
--   (row_number, ROWS frames, lag/lead, first/last_value) would otherwise pick among peers.

-- name: row_number_per_user
-- duckdb: SELECT user_id, CAST(event_id AS BIGINT) AS id, event_type,
-- duckdb:        row_number() OVER (PARTITION BY user_id ORDER BY CAST(event_id AS BIGINT)) AS rn
-- duckdb: FROM events WHERE country = 'SE' AND event_type IN ('search', 'share', 'purchase') ORDER BY user_id, id
SELECT user_id, toInt64(event_id) AS id, event_type,
       row_number() OVER (PARTITION BY user_id ORDER BY toInt64(event_id)) AS rn
FROM events
WHERE country = 'SE' AND event_type IN ('search', 'share', 'purchase')
ORDER BY user_id, id

-- name: rank_hours_by_purchases
-- duckdb: SELECT h, purchases, rank() OVER (ORDER BY purchases DESC) AS r,
-- duckdb:        dense_rank() OVER (ORDER BY purchases DESC) AS dr
-- duckdb: FROM (SELECT hour(event_time) AS h, count(*) AS purchases FROM events
-- duckdb:       WHERE event_type = 'purchase' AND country = 'US' GROUP BY h)
-- duckdb: ORDER BY r, h
SELECT h, purchases, rank() OVER (ORDER BY purchases DESC) AS r,
       dense_rank() OVER (ORDER BY purchases DESC) AS dr
FROM
(
    SELECT toHour(event_time) AS h, count() AS purchases FROM events
    WHERE event_type = 'purchase' AND country = 'US' GROUP BY h
)
ORDER BY r, h

-- name: rank_partitioned_days
-- duckdb: SELECT platform, day, events, rank() OVER (PARTITION BY platform ORDER BY events DESC) AS r
-- duckdb: FROM (SELECT platform, CAST(event_time AS DATE) AS day, count(*) AS events FROM events
-- duckdb:       WHERE event_type = 'sign_up' GROUP BY platform, day)
-- duckdb: ORDER BY platform, r, day
SELECT platform, day, events, rank() OVER (PARTITION BY platform ORDER BY events DESC) AS r
FROM
(
    SELECT platform, toDate(event_time) AS day, count() AS events FROM events
    WHERE event_type = 'sign_up' GROUP BY platform, day
)
ORDER BY platform, r, day

-- name: dense_rank_user_days
-- Every event row gets its day's dense rank (peers share it); DISTINCT then keeps one per day.
-- duckdb: SELECT DISTINCT user_id, day, dense_rank() OVER (PARTITION BY user_id ORDER BY day) AS day_index,
-- duckdb:        rank() OVER (PARTITION BY user_id ORDER BY day) AS first_row_of_day
-- duckdb: FROM (SELECT user_id, CAST(event_time AS DATE) AS day FROM events WHERE country = 'TH')
-- duckdb: ORDER BY user_id, day
SELECT DISTINCT user_id, day, dense_rank() OVER (PARTITION BY user_id ORDER BY day) AS day_index,
       rank() OVER (PARTITION BY user_id ORDER BY day) AS first_row_of_day
FROM (SELECT user_id, toDate(event_time) AS day FROM events WHERE country = 'TH')
ORDER BY user_id, day

-- name: top3_users_per_country
-- duckdb: SELECT country, user_id, events FROM
-- duckdb: (SELECT country, user_id, events,
-- duckdb:         row_number() OVER (PARTITION BY country ORDER BY events DESC, user_id) AS rn
-- duckdb:  FROM (SELECT country, user_id, count(*) AS events FROM events GROUP BY country, user_id))
-- duckdb: WHERE rn <= 3 ORDER BY country, events DESC, user_id
SELECT country, user_id, events
FROM
(
    SELECT country, user_id, events,
           row_number() OVER (PARTITION BY country ORDER BY events DESC, user_id) AS rn
    FROM (SELECT country, user_id, count() AS events FROM events GROUP BY country, user_id)
)
WHERE rn <= 3
ORDER BY country, events DESC, user_id

-- name: lag_daily_events
-- duckdb: SELECT day, events, lag(events, 1, 0) OVER (ORDER BY day) AS prev,
-- duckdb:        events - lag(events, 1, 0) OVER (ORDER BY day) AS delta
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(*) AS events FROM events GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, events,
       lagInFrame(events, 1) OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS prev,
       toInt64(events) - toInt64(prev) AS delta
FROM (SELECT toDate(event_time) AS day, count() AS events FROM events GROUP BY day)
ORDER BY day

-- name: lead_daily_users
-- duckdb: SELECT day, users, lead(users, 1, 0) OVER (ORDER BY day) AS next
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(DISTINCT user_id) AS users FROM events GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, users,
       leadInFrame(users, 1) OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS next
FROM (SELECT toDate(event_time) AS day, uniqExact(user_id) AS users FROM events GROUP BY day)
ORDER BY day

-- name: lag_offset_default_partitioned
-- duckdb: SELECT platform, day, events, lag(events, 2, -1) OVER (PARTITION BY platform ORDER BY day) AS two_back
-- duckdb: FROM (SELECT platform, CAST(event_time AS DATE) AS day, CAST(count(*) AS BIGINT) AS events FROM events
-- duckdb:       WHERE event_type = 'purchase' GROUP BY platform, day)
-- duckdb: ORDER BY platform, day
SELECT platform, day, events,
       lagInFrame(events, 2, -1) OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS two_back
FROM
(
    SELECT platform, toDate(event_time) AS day, toInt64(count()) AS events FROM events
    WHERE event_type = 'purchase' GROUP BY platform, day
)
ORDER BY platform, day

-- name: lag_strings_per_user
-- duckdb: SELECT user_id, CAST(event_id AS BIGINT) AS id, event_type,
-- duckdb:        lag(event_type, 1, '') OVER (PARTITION BY user_id ORDER BY CAST(event_id AS BIGINT)) AS prev_type,
-- duckdb:        lead(event_type, 1, '') OVER (PARTITION BY user_id ORDER BY CAST(event_id AS BIGINT)) AS next_type
-- duckdb: FROM events WHERE country = 'CL' ORDER BY user_id, id
SELECT user_id, toInt64(event_id) AS id, event_type,
       lagInFrame(event_type, 1) OVER w AS prev_type,
       leadInFrame(event_type, 1) OVER w AS next_type
FROM events
WHERE country = 'CL'
WINDOW w AS (PARTITION BY user_id ORDER BY toInt64(event_id) ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
ORDER BY user_id, id

-- name: lead_in_small_frame
-- duckdb: SELECT day, events,
-- duckdb:        coalesce(nth_value(events, 2) OVER (ORDER BY day ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING), 0) AS next1,
-- duckdb:        coalesce(nth_value(events, 3) OVER (ORDER BY day ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING), 0) AS next2_outside
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(*) AS events FROM events WHERE event_type = 'login' GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, events,
       leadInFrame(events, 1) OVER (ORDER BY day ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) AS next1,
       leadInFrame(events, 2) OVER (ORDER BY day ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) AS next2_outside
FROM (SELECT toDate(event_time) AS day, count() AS events FROM events WHERE event_type = 'login' GROUP BY day)
ORDER BY day

-- name: lag_default_frame_is_cut
-- ClickHouse's default frame with ORDER BY ends at the current row: leadInFrame sees nothing
-- after it (days are unique, so no peers): next_cut is always the default 0 (DuckDB: the
-- constant), while lagInFrame still sees the previous row (DuckDB: first_value over a one-row
-- frame one row back).
-- duckdb: SELECT day, events,
-- duckdb:        coalesce(first_value(events) OVER (ORDER BY day ROWS BETWEEN 1 PRECEDING AND 1 PRECEDING), 0) AS prev,
-- duckdb:        0 AS next_cut
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(*) AS events FROM events WHERE event_type = 'share' GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, events,
       lagInFrame(events, 1) OVER (ORDER BY day) AS prev,
       leadInFrame(events, 1) OVER (ORDER BY day) AS next_cut
FROM (SELECT toDate(event_time) AS day, count() AS events FROM events WHERE event_type = 'share' GROUP BY day)
ORDER BY day

-- name: first_last_value_whole_partition
-- duckdb: SELECT user_id, first_type, last_type, count(*) AS events FROM
-- duckdb: (SELECT user_id,
-- duckdb:         first_value(event_type) OVER (PARTITION BY user_id ORDER BY CAST(event_id AS BIGINT)
-- duckdb:             ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS first_type,
-- duckdb:         last_value(event_type) OVER (PARTITION BY user_id ORDER BY CAST(event_id AS BIGINT)
-- duckdb:             ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_type
-- duckdb:  FROM events WHERE country IN ('SE', 'CL', 'PK'))
-- duckdb: GROUP BY user_id, first_type, last_type ORDER BY user_id
SELECT user_id, first_type, last_type, count() AS events
FROM
(
    SELECT user_id,
           first_value(event_type) OVER (PARTITION BY user_id ORDER BY toInt64(event_id)
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS first_type,
           last_value(event_type) OVER (PARTITION BY user_id ORDER BY toInt64(event_id)
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_type
    FROM events
    WHERE country IN ('SE', 'CL', 'PK')
)
GROUP BY user_id, first_type, last_type
ORDER BY user_id

-- name: first_last_value_default_frame
-- duckdb: SELECT day, events,
-- duckdb:        first_value(events) OVER (ORDER BY day RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS first_day_events,
-- duckdb:        last_value(events) OVER (ORDER BY day RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS same_as_events
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(*) AS events FROM events GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, events,
       first_value(events) OVER (ORDER BY day) AS first_day_events,
       last_value(events) OVER (ORDER BY day) AS same_as_events
FROM (SELECT toDate(event_time) AS day, count() AS events FROM events GROUP BY day)
ORDER BY day

-- name: last_value_sliding
-- duckdb: SELECT day, events,
-- duckdb:        last_value(events) OVER (ORDER BY day ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS next_or_last,
-- duckdb:        first_value(events) OVER (ORDER BY day ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS prev_or_first
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(*) AS events FROM events WHERE event_type = 'app_crash' GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, events,
       last_value(events) OVER (ORDER BY day ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS next_or_last,
       first_value(events) OVER (ORDER BY day ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS prev_or_first
FROM (SELECT toDate(event_time) AS day, count() AS events FROM events WHERE event_type = 'app_crash' GROUP BY day)
ORDER BY day

-- name: running_total_default_frame
-- duckdb: SELECT day, events, sum(events) OVER (ORDER BY day RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(*) AS events FROM events GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, events, sum(events) OVER (ORDER BY day) AS running
FROM (SELECT toDate(event_time) AS day, count() AS events FROM events GROUP BY day)
ORDER BY day

-- name: running_total_with_peers
-- Many rows share a day: the default RANGE frame includes all of the current row's peers.
-- duckdb: SELECT DISTINCT day, count(*) OVER (ORDER BY day RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS events_so_far
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day FROM events WHERE country = 'SE')
-- duckdb: ORDER BY day
SELECT DISTINCT day, count() OVER (ORDER BY day) AS events_so_far
FROM (SELECT toDate(event_time) AS day FROM events WHERE country = 'SE')
ORDER BY day

-- name: rolling_7_day_sum
-- duckdb: SELECT day, dau, sum(dau) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS week_sum
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(DISTINCT user_id) AS dau FROM events GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, dau, sum(dau) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS week_sum
FROM (SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau FROM events GROUP BY day)
ORDER BY day

-- name: centered_moving_avg
-- duckdb: SELECT day, events,
-- duckdb:        round(CAST(avg(events) OVER (ORDER BY day ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) AS DOUBLE), 4) AS avg5
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(*) AS events FROM events WHERE event_type = 'purchase' GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, events,
       round(avg(events) OVER (ORDER BY day ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING), 4) AS avg5
FROM (SELECT toDate(event_time) AS day, count() AS events FROM events WHERE event_type = 'purchase' GROUP BY day)
ORDER BY day

-- name: running_min_max_per_platform
-- duckdb: SELECT platform, day, events,
-- duckdb:        min(events) OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS min_so_far,
-- duckdb:        max(events) OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS max_so_far
-- duckdb: FROM (SELECT platform, CAST(event_time AS DATE) AS day, count(*) AS events FROM events GROUP BY platform, day)
-- duckdb: ORDER BY platform, day
SELECT platform, day, events,
       min(events) OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS min_so_far,
       max(events) OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS max_so_far
FROM (SELECT platform, toDate(event_time) AS day, count() AS events FROM events GROUP BY platform, day)
ORDER BY platform, day

-- name: count_whole_partition
-- duckdb: SELECT platform, day, events, count(*) OVER (PARTITION BY platform) AS days_in_partition,
-- duckdb:        sum(events) OVER (PARTITION BY platform) AS platform_total
-- duckdb: FROM (SELECT platform, CAST(event_time AS DATE) AS day, count(*) AS events FROM events
-- duckdb:       WHERE event_type = 'app_crash' GROUP BY platform, day)
-- duckdb: ORDER BY platform, day
SELECT platform, day, events, count() OVER (PARTITION BY platform) AS days_in_partition,
       sum(events) OVER (PARTITION BY platform) AS platform_total
FROM
(
    SELECT platform, toDate(event_time) AS day, count() AS events FROM events
    WHERE event_type = 'app_crash' GROUP BY platform, day
)
ORDER BY platform, day

-- name: share_of_total_empty_over
-- duckdb: SELECT country, events, round(CAST(100 * events AS DOUBLE) / CAST(sum(events) OVER () AS DOUBLE), 4) AS pct
-- duckdb: FROM (SELECT country, count(*) AS events FROM events GROUP BY country)
-- duckdb: ORDER BY events DESC, country
SELECT country, events, round(100 * events / sum(events) OVER (), 4) AS pct
FROM (SELECT country, count() AS events FROM events GROUP BY country)
ORDER BY events DESC, country

-- name: range_offset_with_gaps
-- Days 3, 6 and 9 are filtered out, so the RANGE frame (by value) and a ROWS frame differ.
-- duckdb: SELECT d, events,
-- duckdb:        sum(events) OVER (ORDER BY d RANGE BETWEEN 2 PRECEDING AND CURRENT ROW) AS last3_days,
-- duckdb:        sum(events) OVER (ORDER BY d ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS last3_rows
-- duckdb: FROM (SELECT day(event_time) AS d, count(*) AS events FROM events
-- duckdb:       WHERE event_type = 'purchase' AND day(event_time) NOT IN (3, 6, 9) GROUP BY d)
-- duckdb: ORDER BY d
SELECT d, events,
       sum(events) OVER (ORDER BY d RANGE BETWEEN 2 PRECEDING AND CURRENT ROW) AS last3_days,
       sum(events) OVER (ORDER BY d ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS last3_rows
FROM
(
    SELECT toDayOfMonth(event_time) AS d, count() AS events FROM events
    WHERE event_type = 'purchase' AND toDayOfMonth(event_time) NOT IN (3, 6, 9) GROUP BY d
)
ORDER BY d

-- name: range_following
-- duckdb: SELECT d, events,
-- duckdb:        sum(events) OVER (ORDER BY d RANGE BETWEEN CURRENT ROW AND 1 FOLLOWING) AS today_tomorrow,
-- duckdb:        count(*) OVER (ORDER BY d RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS neighbours
-- duckdb: FROM (SELECT day(event_time) AS d, count(*) AS events FROM events
-- duckdb:       WHERE event_type = 'sign_up' AND day(event_time) % 4 != 0 GROUP BY d)
-- duckdb: ORDER BY d
SELECT d, events,
       sum(events) OVER (ORDER BY d RANGE BETWEEN CURRENT ROW AND 1 FOLLOWING) AS today_tomorrow,
       count() OVER (ORDER BY d RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS neighbours
FROM
(
    SELECT toDayOfMonth(event_time) AS d, count() AS events FROM events
    WHERE event_type = 'sign_up' AND toDayOfMonth(event_time) % 4 != 0 GROUP BY d
)
ORDER BY d

-- name: range_desc_order
-- duckdb: SELECT h, events, sum(events) OVER (ORDER BY h DESC RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) AS this_and_next_hour
-- duckdb: FROM (SELECT hour(event_time) AS h, count(*) AS events FROM events WHERE event_type = 'login' GROUP BY h)
-- duckdb: ORDER BY h
SELECT h, events, sum(events) OVER (ORDER BY h DESC RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) AS this_and_next_hour
FROM (SELECT toHour(event_time) AS h, count() AS events FROM events WHERE event_type = 'login' GROUP BY h)
ORDER BY h

-- name: row_number_desc_and_count_rows
-- duckdb: SELECT platform, day, events,
-- duckdb:        row_number() OVER (PARTITION BY platform ORDER BY events DESC, day) AS busiest,
-- duckdb:        count(*) OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS nth_day
-- duckdb: FROM (SELECT platform, CAST(event_time AS DATE) AS day, count(*) AS events FROM events GROUP BY platform, day)
-- duckdb: ORDER BY platform, day
SELECT platform, day, events,
       row_number() OVER (PARTITION BY platform ORDER BY events DESC, day) AS busiest,
       count() OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS nth_day
FROM (SELECT platform, toDate(event_time) AS day, count() AS events FROM events GROUP BY platform, day)
ORDER BY platform, day

-- name: several_windows_one_select
-- duckdb: SELECT country, platform, events,
-- duckdb:        sum(events) OVER (PARTITION BY country) AS country_events,
-- duckdb:        sum(events) OVER (PARTITION BY platform) AS platform_events,
-- duckdb:        rank() OVER (PARTITION BY platform ORDER BY events DESC) AS rank_in_platform
-- duckdb: FROM (SELECT country, platform, count(*) AS events FROM events WHERE country IN ('US', 'DE', 'IN', 'BR') GROUP BY country, platform)
-- duckdb: ORDER BY country, platform
SELECT country, platform, events,
       sum(events) OVER (PARTITION BY country) AS country_events,
       sum(events) OVER (PARTITION BY platform) AS platform_events,
       rank() OVER (PARTITION BY platform ORDER BY events DESC) AS rank_in_platform
FROM
(
    SELECT country, platform, count() AS events FROM events
    WHERE country IN ('US', 'DE', 'IN', 'BR') GROUP BY country, platform
)
ORDER BY country, platform

-- name: named_window_clause
-- duckdb: SELECT platform, day, events,
-- duckdb:        sum(events) OVER w AS running, round(CAST(avg(events) OVER w AS DOUBLE), 4) AS running_avg
-- duckdb: FROM (SELECT platform, CAST(event_time AS DATE) AS day, count(*) AS events FROM events
-- duckdb:       WHERE event_type = 'begin_checkout' GROUP BY platform, day)
-- duckdb: WINDOW w AS (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
-- duckdb: ORDER BY platform, day
SELECT platform, day, events,
       sum(events) OVER w AS running, round(avg(events) OVER w, 4) AS running_avg
FROM
(
    SELECT platform, toDate(event_time) AS day, count() AS events FROM events
    WHERE event_type = 'begin_checkout' GROUP BY platform, day
)
WINDOW w AS (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
ORDER BY platform, day

-- name: sessions_by_gap
-- A new session when more than 30 minutes passed since the user's previous event.
-- duckdb: SELECT country, count(*) AS sessions FROM
-- duckdb: (SELECT country, ts - lag(ts, 1, 0) OVER (PARTITION BY user_id ORDER BY CAST(event_id AS BIGINT)) AS gap
-- duckdb:  FROM (SELECT user_id, country, event_id, CAST(floor(epoch(event_time)) AS BIGINT) AS ts FROM events
-- duckdb:        WHERE country IN ('SE', 'CL', 'PK', 'UA')))
-- duckdb: WHERE gap > 1800 GROUP BY country ORDER BY country
SELECT country, count() AS sessions
FROM
(
    SELECT country,
           ts - lagInFrame(ts, 1) OVER (PARTITION BY user_id ORDER BY toInt64(event_id)
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS gap
    FROM
    (
        SELECT user_id, country, event_id, toInt64(toUnixTimestamp(event_time)) AS ts FROM events
        WHERE country IN ('SE', 'CL', 'PK', 'UA')
    )
)
WHERE gap > 1800
GROUP BY country
ORDER BY country

-- name: partition_avg_vs_row
-- duckdb: SELECT user_id, events, round(CAST(avg(events) OVER (PARTITION BY country) AS DOUBLE), 4) AS country_avg,
-- duckdb:        CAST(events > avg(events) OVER (PARTITION BY country) AS INTEGER) AS above
-- duckdb: FROM (SELECT user_id, min(country) AS country, count(*) AS events FROM events WHERE country = 'PK' GROUP BY user_id)
-- duckdb: ORDER BY user_id
SELECT user_id, events, round(avg(events) OVER (PARTITION BY country), 4) AS country_avg,
       events > avg(events) OVER (PARTITION BY country) AS above
FROM (SELECT user_id, min(country) AS country, count() AS events FROM events WHERE country = 'PK' GROUP BY user_id)
ORDER BY user_id

-- name: cumulative_distinct_new_users
-- duckdb: SELECT day, new_users, sum(new_users) OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total_users
-- duckdb: FROM (SELECT first_day AS day, count(*) AS new_users
-- duckdb:       FROM (SELECT user_id, min(CAST(event_time AS DATE)) AS first_day FROM events GROUP BY user_id) GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, new_users, sum(new_users) OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total_users
FROM
(
    SELECT first_day AS day, count() AS new_users
    FROM (SELECT user_id, min(toDate(event_time)) AS first_day FROM events GROUP BY user_id)
    GROUP BY day
)
ORDER BY day
