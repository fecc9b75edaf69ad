-- SPEC §9 sessions: per day (of the session's first event), sessions, average and median
-- session length in seconds. Sessions are SDK session ids (non-empty), per user.
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
