-- SPEC §9 sessions, the simple form: distinct SDK session ids per day.
SELECT toDate(event_time) AS day, uniqExact(session_id) AS sessions
FROM events
WHERE session_id != ''
GROUP BY day
ORDER BY day
