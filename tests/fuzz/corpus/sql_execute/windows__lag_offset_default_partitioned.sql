SELECT platform, day, events,
       lagInFrame(events, 2, -1) OVER (PARTITION BY platform ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS two_back
FROM
(
    SELECT platform, toDate(event_time) AS day, toInt64(count()) AS events FROM events
    WHERE event_type = 'purchase' GROUP BY platform, day
)
ORDER BY platform, day