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
-- * round: ClickHouse rounds a Float64 half to even, DuckDB's round half away from zero; where
--   a value can be an exact tie (0.65625 to 4 places) DuckDB uses round_even.
-- * An empty frame: ClickHouse's sum/count give 0, min/max/nth_value the type default, lagInFrame
--   the default; DuckDB NULL, hence coalesce(..., 0). A Nullable argument keeps NULL in both.
-- * first_value/last_value skip NULLs in ClickHouse (they are any/anyLast): DuckDB spells
--   first_value(x IGNORE NULLS); nth_value respects NULLs in both.
-- * RANGE offsets are in the ORDER BY key's unit in ClickHouse (days for Date, seconds for
--   DateTime): DuckDB writes INTERVAL n DAY / INTERVAL n SECOND (or HOUR).
-- * ClickHouse's toDayOfWeek is DuckDB's isodow; toStartOfHour is date_trunc('hour', t).
-- * NULLs sort last in both (ClickHouse's default, DuckDB's since 0.8), ASC and DESC.
-- * A NULL-producing LEFT JOIN is `ALL LEFT JOIN ... SETTINGS join_use_nulls = 1` on the
--   outermost query (MUA's parser takes SETTINGS only there); DuckDB's LEFT JOIN.

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
-- The subquery's alias is not `country`: a ClickHouse alias is visible in WHERE, so
-- `min(country) AS country ... WHERE country = 'PK'` would put an aggregate in WHERE (both
-- ClickHouse and MUA refuse it).
-- duckdb: SELECT user_id, events, round(CAST(avg(events) OVER (PARTITION BY user_country) AS DOUBLE), 4) AS country_avg,
-- duckdb:        CAST(events > avg(events) OVER (PARTITION BY user_country) AS INTEGER) AS above
-- duckdb: FROM (SELECT user_id, min(country) AS user_country, count(*) AS events FROM events WHERE country IN ('PK', 'UA') GROUP BY user_id)
-- duckdb: ORDER BY user_id
SELECT user_id, events, round(avg(events) OVER (PARTITION BY user_country), 4) AS country_avg,
       events > avg(events) OVER (PARTITION BY user_country) AS above
FROM (SELECT user_id, min(country) AS user_country, count() AS events FROM events WHERE country IN ('PK', 'UA') GROUP BY user_id)
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

-- name: percent_rank_countries
-- duckdb: SELECT country, events, round(CAST(percent_rank() OVER (ORDER BY events) AS DOUBLE), 4) AS pr
-- duckdb: FROM (SELECT country, count(*) AS events FROM events GROUP BY country)
-- duckdb: ORDER BY events, country
SELECT country, events, round(percent_rank() OVER (ORDER BY events), 4) AS pr
FROM (SELECT country, count() AS events FROM events GROUP BY country)
ORDER BY events, country

-- name: percent_rank_ties_partitioned
-- Many (platform, hour) cells share a purchase count: peers share the percent_rank.
-- duckdb: SELECT platform, h, purchases,
-- duckdb:        round(CAST(percent_rank() OVER (PARTITION BY platform ORDER BY purchases DESC) AS DOUBLE), 4) AS pr,
-- duckdb:        rank() OVER (PARTITION BY platform ORDER BY purchases DESC) AS r
-- duckdb: FROM (SELECT platform, hour(event_time) AS h, count(*) AS purchases FROM events
-- duckdb:       WHERE event_type = 'purchase' AND country IN ('SE', 'CL') GROUP BY platform, h)
-- duckdb: ORDER BY platform, purchases DESC, h
SELECT platform, h, purchases,
       round(percent_rank() OVER (PARTITION BY platform ORDER BY purchases DESC), 4) AS pr,
       rank() OVER (PARTITION BY platform ORDER BY purchases DESC) AS r
FROM
(
    SELECT platform, toHour(event_time) AS h, count() AS purchases FROM events
    WHERE event_type = 'purchase' AND country IN ('SE', 'CL') GROUP BY platform, h
)
ORDER BY platform, purchases DESC, h

-- name: ranks_with_ties_user_counts
-- Event counts per user tie often: rank skips, dense_rank does not, row_number breaks ties by user_id.
-- duckdb: SELECT user_id, events,
-- duckdb:        row_number() OVER (ORDER BY events DESC, user_id) AS rn,
-- duckdb:        rank() OVER (ORDER BY events DESC) AS r,
-- duckdb:        dense_rank() OVER (ORDER BY events DESC) AS dr
-- duckdb: FROM (SELECT user_id, count(*) AS events FROM events WHERE country = 'UA' GROUP BY user_id)
-- duckdb: ORDER BY rn
SELECT user_id, events,
       row_number() OVER (ORDER BY events DESC, user_id) AS rn,
       rank() OVER (ORDER BY events DESC) AS r,
       dense_rank() OVER (ORDER BY events DESC) AS dr
FROM (SELECT user_id, count() AS events FROM events WHERE country = 'UA' GROUP BY user_id)
ORDER BY rn

-- name: rank_mixed_directions
-- duckdb: SELECT country, platform, users,
-- duckdb:        rank() OVER (ORDER BY platform, users DESC) AS r,
-- duckdb:        dense_rank() OVER (PARTITION BY platform ORDER BY users DESC, country ASC) AS dr
-- duckdb: FROM (SELECT country, platform, count(DISTINCT user_id) AS users FROM events GROUP BY country, platform)
-- duckdb: ORDER BY platform, users DESC, country
SELECT country, platform, users,
       rank() OVER (ORDER BY platform, users DESC) AS r,
       dense_rank() OVER (PARTITION BY platform ORDER BY users DESC, country ASC) AS dr
FROM (SELECT country, platform, uniqExact(user_id) AS users FROM events GROUP BY country, platform)
ORDER BY platform, users DESC, country

-- name: ranking_without_order_by
-- Without ORDER BY every row of the partition is a peer: rank and dense_rank are 1, percent_rank 0.
-- duckdb: SELECT platform, day, rank() OVER (PARTITION BY platform) AS r, dense_rank() OVER (PARTITION BY platform) AS dr,
-- duckdb:        round(CAST(percent_rank() OVER (PARTITION BY platform) AS DOUBLE), 4) AS pr
-- duckdb: FROM (SELECT DISTINCT platform, CAST(event_time AS DATE) AS day FROM events)
-- duckdb: ORDER BY platform, day
SELECT platform, day, rank() OVER (PARTITION BY platform) AS r, dense_rank() OVER (PARTITION BY platform) AS dr,
       round(percent_rank() OVER (PARTITION BY platform), 4) AS pr
FROM (SELECT DISTINCT platform, toDate(event_time) AS day FROM events)
ORDER BY platform, day

-- name: nth_value_whole_partition
-- duckdb: SELECT platform, day, events,
-- duckdb:        nth_value(events, 2) OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS second_day
-- duckdb: FROM (SELECT platform, CAST(event_time AS DATE) AS day, count(*) AS events FROM events WHERE event_type = 'share' GROUP BY platform, day)
-- duckdb: ORDER BY platform, day
SELECT platform, day, events,
       nth_value(events, 2) OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS second_day
FROM (SELECT platform, toDate(event_time) AS day, count() AS events FROM events WHERE event_type = 'share' GROUP BY platform, day)
ORDER BY platform, day

-- name: nth_value_default_frame
-- The default frame ends at the current row: the third value exists from the third day on,
-- before that ClickHouse gives the type default 0 (DuckDB NULL, hence coalesce).
-- duckdb: SELECT day, events,
-- duckdb:        coalesce(nth_value(events, 3) OVER (ORDER BY day RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), 0) AS third,
-- duckdb:        coalesce(nth_value(event_type_count, 1) OVER (ORDER BY day ROWS BETWEEN 2 FOLLOWING AND 3 FOLLOWING), 0) AS two_ahead
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(*) AS events, count(DISTINCT event_type) AS event_type_count FROM events
-- duckdb:       WHERE country = 'DE' GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, events,
       nth_value(events, 3) OVER (ORDER BY day) AS third,
       nth_value(event_type_count, 1) OVER (ORDER BY day ROWS BETWEEN 2 FOLLOWING AND 3 FOLLOWING) AS two_ahead
FROM
(
    SELECT toDate(event_time) AS day, count() AS events, uniqExact(event_type) AS event_type_count FROM events
    WHERE country = 'DE' GROUP BY day
)
ORDER BY day

-- name: lead_offsets_and_defaults
-- duckdb: SELECT platform, day, events,
-- duckdb:        lead(events, 3, 999) OVER (PARTITION BY platform ORDER BY day) AS plus3,
-- duckdb:        lag(events, 0, 999) OVER (PARTITION BY platform ORDER BY day) AS same,
-- duckdb:        lag(events, 13, 7) OVER (PARTITION BY platform ORDER BY day) AS minus13
-- duckdb: FROM (SELECT platform, CAST(event_time AS DATE) AS day, count(*) AS events FROM events WHERE event_type = 'add_to_cart' GROUP BY platform, day)
-- duckdb: ORDER BY platform, day
SELECT platform, day, events,
       leadInFrame(events, 3, 999) OVER w AS plus3,
       lagInFrame(events, 0, 999) OVER w AS same,
       lagInFrame(events, 13, 7) OVER w AS minus13
FROM (SELECT platform, toDate(event_time) AS day, count() AS events FROM events WHERE event_type = 'add_to_cart' GROUP BY platform, day)
WINDOW w AS (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
ORDER BY platform, day

-- name: lag_string_default_per_session
-- Web events have no session_id (''): they are left out; a session is (user_id, session_id).
-- duckdb: SELECT user_id, session_id, CAST(event_id AS BIGINT) AS id, event_type,
-- duckdb:        lag(event_type, 2, 'none') OVER (PARTITION BY user_id, session_id ORDER BY CAST(event_id AS BIGINT)) AS two_before,
-- duckdb:        lead(event_type, 1, 'end') OVER (PARTITION BY user_id, session_id ORDER BY CAST(event_id AS BIGINT)) AS after
-- duckdb: FROM events WHERE country = 'AR' AND session_id != '' ORDER BY user_id, session_id, id
SELECT user_id, session_id, toInt64(event_id) AS id, event_type,
       lagInFrame(event_type, 2, 'none') OVER w AS two_before,
       leadInFrame(event_type, 1, 'end') OVER w AS after
FROM events
WHERE country = 'AR' AND session_id != ''
WINDOW w AS (PARTITION BY user_id, session_id ORDER BY toInt64(event_id) ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
ORDER BY user_id, session_id, id

-- name: lag_lead_inside_sliding_frame
-- ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING: offsets 1 and 2 are inside it, 3 never is (default).
-- duckdb: SELECT day, events,
-- duckdb:        lag(events, 2, 0) OVER (ORDER BY day) AS lag2,
-- duckdb:        lead(events, 2, 0) OVER (ORDER BY day) AS lead2,
-- duckdb:        -1 AS lag3_cut
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(*) AS events FROM events WHERE event_type = 'view_item' AND platform = 'ios' GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, events,
       lagInFrame(events, 2) OVER w AS lag2,
       leadInFrame(events, 2) OVER w AS lead2,
       lagInFrame(toInt64(events), 3, -1) OVER w AS lag3_cut
FROM (SELECT toDate(event_time) AS day, count() AS events FROM events WHERE event_type = 'view_item' AND platform = 'ios' GROUP BY day)
WINDOW w AS (ORDER BY day ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING)
ORDER BY day

-- name: rows_following_only
-- Frames after the current row: empty at the partition's end (sum and count 0, min the type default 0).
-- duckdb: SELECT platform, day, events,
-- duckdb:        coalesce(sum(events) OVER f, 0) AS next3_sum,
-- duckdb:        count(*) OVER f AS next3_count,
-- duckdb:        coalesce(min(events) OVER f, 0) AS next3_min
-- duckdb: FROM (SELECT platform, CAST(event_time AS DATE) AS day, count(*) AS events FROM events WHERE event_type = 'purchase' GROUP BY platform, day)
-- duckdb: WINDOW f AS (PARTITION BY platform ORDER BY day ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING)
-- duckdb: ORDER BY platform, day
SELECT platform, day, events,
       sum(events) OVER f AS next3_sum,
       count() OVER f AS next3_count,
       min(events) OVER f AS next3_min
FROM (SELECT platform, toDate(event_time) AS day, count() AS events FROM events WHERE event_type = 'purchase' GROUP BY platform, day)
WINDOW f AS (PARTITION BY platform ORDER BY day ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING)
ORDER BY platform, day

-- name: rows_preceding_only
-- duckdb: SELECT day, events,
-- duckdb:        coalesce(max(events) OVER p, 0) AS prev3_max,
-- duckdb:        count(*) OVER p AS prev3_count,
-- duckdb:        round(CAST(coalesce(avg(events) OVER p, 0) AS DOUBLE), 4) AS prev3_avg
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(*) AS events FROM events WHERE event_type = 'sign_up' GROUP BY day)
-- duckdb: WINDOW p AS (ORDER BY day ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING)
-- duckdb: ORDER BY day
SELECT day, events,
       max(events) OVER p AS prev3_max,
       count() OVER p AS prev3_count,
       if(prev3_count = 0, 0, round(avg(events) OVER p, 4)) AS prev3_avg
FROM (SELECT toDate(event_time) AS day, count() AS events FROM events WHERE event_type = 'sign_up' GROUP BY day)
WINDOW p AS (ORDER BY day ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING)
ORDER BY day

-- name: range_current_row_peers
-- RANGE CURRENT ROW .. CURRENT ROW is the row's peers; ROWS the row alone.
-- duckdb: SELECT DISTINCT d, h,
-- duckdb:        count(*) OVER (PARTITION BY d ORDER BY h RANGE BETWEEN CURRENT ROW AND CURRENT ROW) AS same_hour,
-- duckdb:        count(*) OVER (PARTITION BY d ORDER BY h RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS from_hour_on
-- duckdb: FROM (SELECT day(event_time) AS d, hour(event_time) AS h FROM events WHERE country = 'SE' AND event_type = 'login')
-- duckdb: ORDER BY d, h
SELECT DISTINCT d, h,
       count() OVER (PARTITION BY d ORDER BY h RANGE BETWEEN CURRENT ROW AND CURRENT ROW) AS same_hour,
       count() OVER (PARTITION BY d ORDER BY h RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS from_hour_on
FROM (SELECT toDayOfMonth(event_time) AS d, toHour(event_time) AS h FROM events WHERE country = 'SE' AND event_type = 'login')
ORDER BY d, h

-- name: reverse_running_total
-- duckdb: SELECT day, events,
-- duckdb:        sum(events) OVER (ORDER BY day ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS remaining,
-- duckdb:        sum(events) OVER (ORDER BY day DESC RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS remaining_desc
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(*) AS events FROM events WHERE event_type = 'purchase' GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, events,
       sum(events) OVER (ORDER BY day ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS remaining,
       sum(events) OVER (ORDER BY day DESC) AS remaining_desc
FROM (SELECT toDate(event_time) AS day, count() AS events FROM events WHERE event_type = 'purchase' GROUP BY day)
ORDER BY day

-- name: range_on_date_key
-- A Date ORDER BY key: RANGE offsets are days (DuckDB: INTERVAL n DAY). Day 2026-10-05 is missing.
-- duckdb: SELECT day, events,
-- duckdb:        sum(events) OVER (ORDER BY day RANGE BETWEEN INTERVAL 2 DAY PRECEDING AND CURRENT ROW) AS three_days,
-- duckdb:        count(*) OVER (ORDER BY day RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND INTERVAL 1 DAY FOLLOWING) AS neighbours
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(*) AS events FROM events
-- duckdb:       WHERE event_type = 'purchase' AND CAST(event_time AS DATE) != DATE '2026-10-05' GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, events,
       sum(events) OVER (ORDER BY day RANGE BETWEEN 2 PRECEDING AND CURRENT ROW) AS three_days,
       count() OVER (ORDER BY day RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS neighbours
FROM
(
    SELECT toDate(event_time) AS day, count() AS events FROM events
    WHERE event_type = 'purchase' AND toDate(event_time) != toDate('2026-10-05') GROUP BY day
)
ORDER BY day

-- name: range_on_datetime_key
-- A DateTime ORDER BY key: RANGE offsets are seconds (DuckDB: INTERVAL).
-- duckdb: SELECT CAST(floor(epoch(hr)) AS BIGINT) AS hour_start, events,
-- duckdb:        sum(events) OVER (ORDER BY hr RANGE BETWEEN INTERVAL 3 HOUR PRECEDING AND CURRENT ROW) AS last4h,
-- duckdb:        max(events) OVER (ORDER BY hr RANGE BETWEEN INTERVAL 1800 SECOND PRECEDING AND INTERVAL 3600 SECOND FOLLOWING) AS max_next_hour
-- duckdb: FROM (SELECT date_trunc('hour', event_time) AS hr, count(*) AS events FROM events
-- duckdb:       WHERE event_type = 'app_crash' AND platform = 'android' GROUP BY hr)
-- duckdb: ORDER BY hr
SELECT toUnixTimestamp(hr) AS hour_start, events,
       sum(events) OVER (ORDER BY hr RANGE BETWEEN 10800 PRECEDING AND CURRENT ROW) AS last4h,
       max(events) OVER (ORDER BY hr RANGE BETWEEN 1800 PRECEDING AND 3600 FOLLOWING) AS max_next_hour
FROM
(
    SELECT toStartOfHour(event_time) AS hr, count() AS events FROM events
    WHERE event_type = 'app_crash' AND platform = 'android' GROUP BY hr
)
ORDER BY hr

-- name: partition_by_several_keys
-- duckdb: SELECT platform, device_type, day, events,
-- duckdb:        row_number() OVER (PARTITION BY platform, device_type ORDER BY day) AS n,
-- duckdb:        sum(events) OVER (PARTITION BY platform, device_type ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
-- duckdb:        count(*) OVER (PARTITION BY platform, device_type) AS days
-- duckdb: FROM (SELECT platform, device_type, CAST(event_time AS DATE) AS day, count(*) AS events FROM events
-- duckdb:       WHERE event_type = 'begin_checkout' GROUP BY platform, device_type, day)
-- duckdb: ORDER BY platform, device_type, day
SELECT platform, device_type, day, events,
       row_number() OVER (PARTITION BY platform, device_type ORDER BY day) AS n,
       sum(events) OVER (PARTITION BY platform, device_type ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
       count() OVER (PARTITION BY platform, device_type) AS days
FROM
(
    SELECT platform, device_type, toDate(event_time) AS day, count() AS events FROM events
    WHERE event_type = 'begin_checkout' GROUP BY platform, device_type, day
)
ORDER BY platform, device_type, day

-- name: partition_by_expression
-- duckdb: SELECT dow, h, events,
-- duckdb:        rank() OVER (PARTITION BY dow >= 6, h < 12 ORDER BY events DESC) AS r,
-- duckdb:        sum(events) OVER (PARTITION BY dow >= 6, h < 12) AS half_day_total
-- duckdb: FROM (SELECT isodow(event_time) AS dow, hour(event_time) AS h, count(*) AS events FROM events
-- duckdb:       WHERE event_type = 'search' AND country = 'BR' GROUP BY dow, h)
-- duckdb: ORDER BY dow, h
SELECT dow, h, events,
       rank() OVER (PARTITION BY dow >= 6, h < 12 ORDER BY events DESC) AS r,
       sum(events) OVER (PARTITION BY dow >= 6, h < 12) AS half_day_total
FROM
(
    SELECT toDayOfWeek(event_time) AS dow, toHour(event_time) AS h, count() AS events FROM events
    WHERE event_type = 'search' AND country = 'BR' GROUP BY dow, h
)
ORDER BY dow, h

-- name: nullif_aggregates_rows
-- nullIf makes every fifth day NULL: the aggregates skip NULLs, a frame of NULLs only gives NULL
-- (count 0); lagInFrame returns the NULL it reads; a NULL key sorts last (DuckDB: NULLS LAST).
-- duckdb: SELECT day, x,
-- duckdb:        sum(x) OVER r AS s, count(x) OVER r AS c, round(CAST(avg(x) OVER r AS DOUBLE), 4) AS a,
-- duckdb:        min(x) OVER r AS mn, max(x) OVER r AS mx,
-- duckdb:        sum(x) OVER (ORDER BY day ROWS BETWEEN CURRENT ROW AND CURRENT ROW) AS alone,
-- duckdb:        lag(x, 1) OVER (ORDER BY day) AS prev
-- duckdb: FROM (SELECT day, nullif(day(day) % 5, 0) AS x FROM (SELECT DISTINCT CAST(event_time AS DATE) AS day FROM events))
-- duckdb: WINDOW r AS (ORDER BY day ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)
-- duckdb: ORDER BY day
SELECT day, x,
       sum(x) OVER r AS s, count(x) OVER r AS c, round(avg(x) OVER r, 4) AS a,
       min(x) OVER r AS mn, max(x) OVER r AS mx,
       sum(x) OVER (ORDER BY day ROWS BETWEEN CURRENT ROW AND CURRENT ROW) AS alone,
       lagInFrame(x, 1) OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS prev
FROM (SELECT day, nullIf(toDayOfMonth(day) % 5, 0) AS x FROM (SELECT DISTINCT toDate(event_time) AS day FROM events))
WINDOW r AS (ORDER BY day ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)
ORDER BY day

-- name: nullif_first_last_value_skip_nulls
-- ClickHouse's first_value/last_value are any/anyLast: they skip NULLs (DuckDB: IGNORE NULLS);
-- nth_value does not.
-- duckdb: SELECT day, x,
-- duckdb:        first_value(x IGNORE NULLS) OVER r AS fv, last_value(x IGNORE NULLS) OVER r AS lv,
-- duckdb:        nth_value(x, 2) OVER r AS second
-- duckdb: FROM (SELECT day, nullif(nullif(day(day) % 4, 0), 1) AS x FROM (SELECT DISTINCT CAST(event_time AS DATE) AS day FROM events))
-- duckdb: WINDOW r AS (ORDER BY day ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)
-- duckdb: ORDER BY day
SELECT day, x,
       first_value(x) OVER r AS fv, last_value(x) OVER r AS lv,
       nth_value(x, 2) OVER r AS second
FROM (SELECT day, nullIf(nullIf(toDayOfMonth(day) % 4, 0), 1) AS x FROM (SELECT DISTINCT toDate(event_time) AS day FROM events))
WINDOW r AS (ORDER BY day ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)
ORDER BY day

-- name: nullable_order_key_sorts_last
-- duckdb: SELECT h, events, row_number() OVER (ORDER BY k, h) AS rn,
-- duckdb:        rank() OVER (ORDER BY k DESC) AS r_desc
-- duckdb: FROM (SELECT hour(event_time) AS h, nullif(hour(event_time) % 3, 0) AS k, count(*) AS events FROM events
-- duckdb:       WHERE event_type = 'share' GROUP BY h, k)
-- duckdb: ORDER BY h
SELECT h, events, row_number() OVER (ORDER BY k, h) AS rn,
       rank() OVER (ORDER BY k DESC) AS r_desc
FROM
(
    SELECT toHour(event_time) AS h, nullIf(toHour(event_time) % 3, 0) AS k, count() AS events FROM events
    WHERE event_type = 'share' GROUP BY h, k
)
ORDER BY h

-- name: join_use_nulls_running
-- Days without a Swedish purchase on a platform come out of the LEFT JOIN as NULL
-- (join_use_nulls = 1): the running sum skips them, count(x) does not count them.
-- duckdb: SELECT platform, day, purchases,
-- duckdb:        sum(purchases) OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
-- duckdb:        count(purchases) OVER (PARTITION BY platform) AS days_with,
-- duckdb:        lag(purchases, 1) OVER (PARTITION BY platform ORDER BY day) AS prev
-- duckdb: FROM (SELECT d.platform, d.day, p.purchases
-- duckdb:       FROM (SELECT DISTINCT platform, CAST(event_time AS DATE) AS day FROM events) AS d
-- duckdb:       LEFT JOIN (SELECT platform, CAST(event_time AS DATE) AS day, count(*) AS purchases FROM events
-- duckdb:                  WHERE event_type = 'purchase' AND country = 'SE' GROUP BY platform, day) AS p
-- duckdb:       ON d.platform = p.platform AND d.day = p.day)
-- duckdb: ORDER BY platform, day
SELECT platform, day, purchases,
       sum(purchases) OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
       count(purchases) OVER (PARTITION BY platform) AS days_with,
       lagInFrame(purchases, 1) OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS prev
FROM
(
    SELECT d.platform AS platform, d.day AS day, p.purchases AS purchases
    FROM (SELECT DISTINCT platform, toDate(event_time) AS day FROM events) AS d
    ALL LEFT JOIN
    (
        SELECT platform, toDate(event_time) AS day, count() AS purchases FROM events
        WHERE event_type = 'purchase' AND country = 'SE' GROUP BY platform, day
    ) AS p
    ON d.platform = p.platform AND d.day = p.day
)
ORDER BY platform, day
SETTINGS join_use_nulls = 1

-- name: window_over_join_same_select
-- The window runs over the joined rows of its own SELECT; join_use_nulls on the whole query.
-- duckdb: SELECT u.country, u.user_id, coalesce(p.purchases, 0) AS purchases,
-- duckdb:        rank() OVER (PARTITION BY u.country ORDER BY coalesce(p.purchases, 0) DESC) AS r,
-- duckdb:        count(p.purchases) OVER (PARTITION BY u.country) AS buyers
-- duckdb: FROM (SELECT DISTINCT country, user_id FROM events WHERE country IN ('AR', 'CL')) AS u
-- duckdb: LEFT JOIN (SELECT user_id, count(*) AS purchases FROM events WHERE event_type = 'purchase' GROUP BY user_id) AS p
-- duckdb: ON u.user_id = p.user_id
-- duckdb: ORDER BY u.country, purchases DESC, u.user_id
SELECT u.country, u.user_id, coalesce(p.purchases, 0) AS purchases,
       rank() OVER (PARTITION BY u.country ORDER BY coalesce(p.purchases, 0) DESC) AS r,
       count(p.purchases) OVER (PARTITION BY u.country) AS buyers
FROM (SELECT DISTINCT country, user_id FROM events WHERE country IN ('AR', 'CL')) AS u
ALL LEFT JOIN (SELECT user_id, count() AS purchases FROM events WHERE event_type = 'purchase' GROUP BY user_id) AS p
ON u.user_id = p.user_id
ORDER BY u.country, purchases DESC, u.user_id
SETTINGS join_use_nulls = 1

-- name: window_over_union_all
-- duckdb: SELECT kind, day, events,
-- duckdb:        sum(events) OVER (PARTITION BY kind ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
-- duckdb:        dense_rank() OVER (ORDER BY kind) AS kind_index
-- duckdb: FROM (SELECT 'crash' AS kind, CAST(event_time AS DATE) AS day, count(*) AS events FROM events WHERE event_type = 'app_crash' GROUP BY day
-- duckdb:       UNION ALL
-- duckdb:       SELECT 'purchase' AS kind, CAST(event_time AS DATE) AS day, count(*) AS events FROM events WHERE event_type = 'purchase' GROUP BY day)
-- duckdb: ORDER BY kind, day
SELECT kind, day, events,
       sum(events) OVER (PARTITION BY kind ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
       dense_rank() OVER (ORDER BY kind) AS kind_index
FROM
(
    SELECT 'crash' AS kind, toDate(event_time) AS day, count() AS events FROM events WHERE event_type = 'app_crash' GROUP BY day
    UNION ALL
    SELECT 'purchase' AS kind, toDate(event_time) AS day, count() AS events FROM events WHERE event_type = 'purchase' GROUP BY day
)
ORDER BY kind, day

-- name: nested_window_subqueries
-- A window over the output of another window: the day of each user's first purchase, ranked.
-- duckdb: SELECT country, user_id, first_purchase_event, rank() OVER (PARTITION BY country ORDER BY first_purchase_event) AS r
-- duckdb: FROM (SELECT country, user_id, n AS first_purchase_event FROM
-- duckdb:        (SELECT country, user_id, event_type,
-- duckdb:                row_number() OVER (PARTITION BY user_id ORDER BY CAST(event_id AS BIGINT)) AS n,
-- duckdb:                row_number() OVER (PARTITION BY user_id, event_type ORDER BY CAST(event_id AS BIGINT)) AS k
-- duckdb:         FROM events WHERE country IN ('SE', 'AR'))
-- duckdb:       WHERE event_type = 'purchase' AND k = 1)
-- duckdb: ORDER BY country, r, user_id
SELECT country, user_id, first_purchase_event, rank() OVER (PARTITION BY country ORDER BY first_purchase_event) AS r
FROM
(
    SELECT country, user_id, n AS first_purchase_event
    FROM
    (
        SELECT country, user_id, event_type,
               row_number() OVER (PARTITION BY user_id ORDER BY toInt64(event_id)) AS n,
               row_number() OVER (PARTITION BY user_id, event_type ORDER BY toInt64(event_id)) AS k
        FROM events WHERE country IN ('SE', 'AR')
    )
    WHERE event_type = 'purchase' AND k = 1
)
ORDER BY country, r, user_id

-- name: window_result_in_expressions
-- 147 / 224 = 0.65625 exactly: ClickHouse's round of a Float64 is half to even (0.6562),
-- DuckDB's round half away from zero, so DuckDB uses round_even.
-- duckdb: SELECT day, events,
-- duckdb:        events - min(events) OVER () AS above_min,
-- duckdb:        round_even(CAST(events AS DOUBLE) / CAST(max(events) OVER () AS DOUBLE), 4) AS of_max,
-- duckdb:        CAST(row_number() OVER (ORDER BY day) % 7 AS BIGINT) AS weekday_index
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, count(*) AS events FROM events WHERE event_type = 'notification_open' GROUP BY day)
-- duckdb: ORDER BY events - min(events) OVER () DESC, day
SELECT day, events,
       events - min(events) OVER () AS above_min,
       round(events / max(events) OVER (), 4) AS of_max,
       row_number() OVER (ORDER BY day) % 7 AS weekday_index
FROM (SELECT toDate(event_time) AS day, count() AS events FROM events WHERE event_type = 'notification_open' GROUP BY day)
ORDER BY above_min DESC, day

-- name: float_sums_sliding
-- duckdb: SELECT day, round(CAST(sum(x) OVER (ORDER BY day ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS DOUBLE), 4) AS s,
-- duckdb:        round(CAST(max(x) OVER (ORDER BY day RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS DOUBLE), 4) AS mx
-- duckdb: FROM (SELECT CAST(event_time AS DATE) AS day, CAST(count(*) AS DOUBLE) / 7 AS x FROM events WHERE event_type = 'search' GROUP BY day)
-- duckdb: ORDER BY day
SELECT day, round(sum(x) OVER (ORDER BY day ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING), 4) AS s,
       round(max(x) OVER (ORDER BY day), 4) AS mx
FROM (SELECT toDate(event_time) AS day, count() / 7 AS x FROM events WHERE event_type = 'search' GROUP BY day)
ORDER BY day

-- name: first_event_per_session_ties
-- Events within the same second: ORDER BY event_time alone has ties, event_id breaks them.
-- duckdb: SELECT event_type, count(*) AS sessions FROM
-- duckdb: (SELECT event_type, row_number() OVER (PARTITION BY session_id ORDER BY event_time, CAST(event_id AS BIGINT)) AS n
-- duckdb:  FROM events WHERE platform = 'web')
-- duckdb: WHERE n = 1 GROUP BY event_type ORDER BY sessions DESC, event_type
SELECT event_type, count() AS sessions
FROM
(
    SELECT event_type, row_number() OVER (PARTITION BY session_id ORDER BY event_time, toInt64(event_id)) AS n
    FROM events WHERE platform = 'web'
)
WHERE n = 1
GROUP BY event_type
ORDER BY sessions DESC, event_type

-- name: running_count_per_user_all_events
-- Every event of a segment, a running count per user and the share of the user's events so far.
-- duckdb: SELECT user_id, CAST(event_id AS BIGINT) AS id,
-- duckdb:        count(*) OVER (PARTITION BY user_id ORDER BY CAST(event_id AS BIGINT) ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS so_far,
-- duckdb:        round(CAST(count(*) OVER (PARTITION BY user_id ORDER BY CAST(event_id AS BIGINT) ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS DOUBLE)
-- duckdb:              / CAST(count(*) OVER (PARTITION BY user_id) AS DOUBLE), 4) AS share
-- duckdb: FROM events WHERE device_type = 'tablet' AND country IN ('US', 'IN') ORDER BY user_id, id
SELECT user_id, toInt64(event_id) AS id,
       count() OVER (PARTITION BY user_id ORDER BY toInt64(event_id) ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS so_far,
       round(so_far / count() OVER (PARTITION BY user_id), 4) AS share
FROM events
WHERE device_type = 'tablet' AND country IN ('US', 'IN')
ORDER BY user_id, id

-- Window functions over GROUP BY in the same SELECT (run after GROUP BY/HAVING, over the
-- groups; arguments, PARTITION BY and ORDER BY use aggregates, keys and aliases). DuckDB
-- evaluates the same order natively; it spells aggregates out where MUA uses aliases.

-- name: groups_running_total_and_share
-- duckdb: SELECT CAST(event_time AS DATE) AS d, count(*) AS n,
-- duckdb:        sum(count(*)) OVER (ORDER BY CAST(event_time AS DATE) RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
-- duckdb:        round_even(CAST(count(*) / sum(count(*)) OVER () AS DOUBLE), 4) AS share
-- duckdb: FROM events WHERE event_type = 'purchase' GROUP BY d ORDER BY d
SELECT toDate(event_time) AS d, count() AS n, sum(count()) OVER (ORDER BY d) AS running,
       round(n / sum(n) OVER (), 4) AS share
FROM events
WHERE event_type = 'purchase'
GROUP BY d
ORDER BY d

-- name: groups_rank_countries_by_users
-- duckdb: SELECT country, count(DISTINCT user_id) AS users, rank() OVER (ORDER BY count(DISTINCT user_id) DESC) AS r
-- duckdb: FROM events GROUP BY country ORDER BY r, country LIMIT 12
SELECT country, uniqExact(user_id) AS users, rank() OVER (ORDER BY uniqExact(user_id) DESC) AS r
FROM events
GROUP BY country
ORDER BY r, country
LIMIT 12

-- name: groups_day_change_lag
-- duckdb: SELECT CAST(event_time AS DATE) AS d, count(*) AS n,
-- duckdb:        count(*) - lag(count(*), 1, 0) OVER (ORDER BY CAST(event_time AS DATE)) AS change
-- duckdb: FROM events WHERE platform = 'web' GROUP BY d ORDER BY d
SELECT toDate(event_time) AS d, count() AS n,
       n - lagInFrame(n) OVER (ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS change
FROM events
WHERE platform = 'web'
GROUP BY d
ORDER BY d

-- name: groups_having_row_number
-- duckdb: SELECT platform, device_type, count(*) AS n,
-- duckdb:        row_number() OVER (PARTITION BY platform ORDER BY count(*) DESC, device_type) AS rn
-- duckdb: FROM events GROUP BY platform, device_type HAVING count(*) > 100 ORDER BY platform, rn
SELECT platform, device_type, count() AS n,
       row_number() OVER (PARTITION BY platform ORDER BY count() DESC, device_type) AS rn
FROM events
GROUP BY platform, device_type
HAVING n > 100
ORDER BY platform, rn

-- name: groups_dau_moving_average
-- duckdb: SELECT CAST(event_time AS DATE) AS d, count(DISTINCT user_id) AS dau,
-- duckdb:        round(CAST(avg(count(DISTINCT user_id)) OVER (ORDER BY CAST(event_time AS DATE) ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS DOUBLE), 4) AS dau_7d
-- duckdb: FROM events GROUP BY d ORDER BY d
SELECT toDate(event_time) AS d, uniqExact(user_id) AS dau,
       round(avg(dau) OVER (ORDER BY d ROWS BETWEEN 6 PRECEDING AND CURRENT ROW), 4) AS dau_7d
FROM events
GROUP BY d
ORDER BY d

-- name: groups_platform_share_per_country
-- duckdb: SELECT country, platform, count(*) AS n,
-- duckdb:        round_even(CAST(count(*) / sum(count(*)) OVER (PARTITION BY country) AS DOUBLE), 4) AS share
-- duckdb: FROM events WHERE country IN ('SE', 'CL', 'PK') GROUP BY country, platform ORDER BY country, platform
SELECT country, platform, count() AS n,
       round(count() / sum(count()) OVER (PARTITION BY country), 4) AS share
FROM events
WHERE country IN ('SE', 'CL', 'PK')
GROUP BY country, platform
ORDER BY country, platform

-- name: groups_busiest_hour_first_value
-- duckdb: SELECT hour(event_time) AS h, count(*) AS n,
-- duckdb:        first_value(hour(event_time)) OVER (ORDER BY count(*) DESC, hour(event_time) ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS busiest_hour
-- duckdb: FROM events WHERE event_type = 'purchase' GROUP BY h ORDER BY h
SELECT toHour(event_time) AS h, count() AS n,
       first_value(h) OVER (ORDER BY count() DESC, h ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS busiest_hour
FROM events
WHERE event_type = 'purchase'
GROUP BY h
ORDER BY h

-- name: groups_named_window_dense_rank
-- duckdb: SELECT app_version, count(*) AS n, dense_rank() OVER (ORDER BY count(*) DESC) AS dr
-- duckdb: FROM events GROUP BY app_version ORDER BY dr, app_version
SELECT app_version, count() AS n, dense_rank() OVER w AS dr
FROM events
GROUP BY app_version
WINDOW w AS (ORDER BY n DESC)
ORDER BY dr, app_version
