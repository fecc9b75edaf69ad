WITH toDate('2026-10-01') AS d0, cohort AS (SELECT DISTINCT user_id FROM events WHERE toDate(event_time) = d0)
SELECT count(DISTINCT user_id) FROM events WHERE user_id IN (SELECT user_id FROM cohort) UNION ALL SELECT 1 SETTINGS max_threads = 2 FORMAT JSON
