-- SPEC §9 crash_rate: per app_version, crashes / sessions (events with an SDK session id).
SELECT app_version,
       countIf(event_type = 'app_crash') AS crashes,
       uniqExact(session_id) AS sessions,
       round(countIf(event_type = 'app_crash') / uniqExact(session_id), 6) AS crash_rate
FROM events
WHERE session_id != ''
GROUP BY app_version
ORDER BY app_version
