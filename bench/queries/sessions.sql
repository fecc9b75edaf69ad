-- SPEC §9 sessions: per day (of the session's first event), sessions, average and median
-- session length in seconds. Sessions are SDK session ids (non-empty), per user.
-- mirrors: tests/differential/queries/sessions.sql
-- DuckDB: event_time holds whole seconds (as in ClickHouse), so epoch() differences equal
-- dateDiff('second', ...). quantileExact(0.5) is element floor(n / 2) of the sorted values
-- (the upper median); DuckDB's quantile_disc takes floor((n - 1) / 2), so it is spelled out.
-- duckdb: SELECT day,
-- duckdb:        count(*) AS sessions,
-- duckdb:        round(avg(length_s), 4) AS avg_length_s,
-- duckdb:        list_sort(list(length_s))[CAST(floor(count(*) / 2) AS BIGINT) + 1] AS median_length_s
-- duckdb: FROM
-- duckdb: (
-- duckdb:     SELECT user_id, session_id,
-- duckdb:            CAST(min(event_time) AS DATE) AS day,
-- duckdb:            CAST(epoch(max(event_time)) - epoch(min(event_time)) AS BIGINT) AS length_s
-- duckdb:     FROM events
-- duckdb:     WHERE session_id != ''
-- duckdb:     GROUP BY user_id, session_id
-- duckdb: )
-- duckdb: GROUP BY day
-- duckdb: ORDER BY day
SELECT day,
       count() AS sessions,
       round(avg(length_s), 4) AS avg_length_s,
       quantileExact(0.5)(length_s) AS median_length_s
FROM
(
    SELECT user_id, session_id,
           toDate(min(event_time)) AS day,
           dateDiff('second', toDateTime(min(event_time)), toDateTime(max(event_time))) AS length_s
    FROM events
    WHERE session_id != ''
    GROUP BY user_id, session_id
)
GROUP BY day
ORDER BY day
