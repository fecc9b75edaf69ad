SELECT platform, day, events,
       sum(events) OVER w AS running, round(avg(events) OVER w, 4) AS running_avg
FROM
(
    SELECT platform, toDate(event_time) AS day, count() AS events FROM events
    WHERE event_type = 'begin_checkout' GROUP BY platform, day
)
WINDOW w AS (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
ORDER BY platform, day