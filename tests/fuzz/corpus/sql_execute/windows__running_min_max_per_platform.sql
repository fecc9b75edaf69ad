SELECT platform, day, events,
       min(events) OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS min_so_far,
       max(events) OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS max_so_far
FROM (SELECT platform, toDate(event_time) AS day, count() AS events FROM events GROUP BY platform, day)
ORDER BY platform, day