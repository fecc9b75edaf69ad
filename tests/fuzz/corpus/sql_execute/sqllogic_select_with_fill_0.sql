SELECT toStartOfHour(toDateTime(event_time)) AS h, count() AS events FROM events
WHERE toDate(event_time) = '2026-10-01' GROUP BY h
ORDER BY h WITH FILL FROM toDateTime('2026-10-01 06:00:00') TO toDateTime('2026-10-01 11:00:00') STEP 3600