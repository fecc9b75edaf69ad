-- SPEC §9 dau_segment: distinct users per day for platform = ios and country = US.
SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau
FROM events
WHERE platform = 'ios' AND country = 'US'
GROUP BY day
ORDER BY day
