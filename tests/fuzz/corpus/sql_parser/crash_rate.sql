SELECT app_version, countIf(event_type = 'app_crash') / uniqExact(session_id) AS crash_rate FROM events GROUP BY app_version ORDER BY crash_rate DESC NULLS LAST
