SELECT DISTINCT day, count() OVER (ORDER BY day) AS events_so_far
FROM (SELECT toDate(event_time) AS day FROM events WHERE country = 'SE')
ORDER BY day