SELECT city, tablet_events, desktop_events
FROM
(
    SELECT city, count() AS tablet_events FROM events WHERE device_type = 'tablet' AND country IN ('US', 'DE', 'BR') GROUP BY city
)
ALL FULL JOIN
(
    SELECT city, count() AS desktop_events FROM events WHERE device_type = 'desktop' AND country IN ('US', 'FR', 'BR') GROUP BY city
) USING city
ORDER BY city