SELECT event_type, category, count() AS events
FROM events
ALL LEFT JOIN
(
    SELECT 'purchase' AS event_type, 'money' AS category
    UNION ALL
    SELECT 'begin_checkout' AS event_type, 'money' AS category
    UNION ALL
    SELECT 'app_crash' AS event_type, 'quality' AS category
) USING event_type
GROUP BY event_type, category
ORDER BY events DESC, event_type