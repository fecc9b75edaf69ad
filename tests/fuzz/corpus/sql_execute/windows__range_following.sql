SELECT d, events,
       sum(events) OVER (ORDER BY d RANGE BETWEEN CURRENT ROW AND 1 FOLLOWING) AS today_tomorrow,
       count() OVER (ORDER BY d RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS neighbours
FROM
(
    SELECT toDayOfMonth(event_time) AS d, count() AS events FROM events
    WHERE event_type = 'sign_up' AND toDayOfMonth(event_time) % 4 != 0 GROUP BY d
)
ORDER BY d