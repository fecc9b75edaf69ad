-- SPEC §9 top_events: event counts for android in the last 7 days of the data
-- (2026-10-08 .. 2026-10-14; a fixed date, not now()).
SELECT event_type, count() AS events
FROM events
WHERE platform = 'android'
  AND event_time >= '2026-10-08 00:00:00' AND event_time < '2026-10-15 00:00:00'
GROUP BY event_type
ORDER BY events DESC, event_type
