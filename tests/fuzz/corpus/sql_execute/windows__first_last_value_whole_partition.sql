SELECT user_id, first_type, last_type, count() AS events
FROM
(
    SELECT user_id,
           first_value(event_type) OVER (PARTITION BY user_id ORDER BY toInt64(event_id)
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS first_type,
           last_value(event_type) OVER (PARTITION BY user_id ORDER BY toInt64(event_id)
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_type
    FROM events
    WHERE country IN ('SE', 'CL', 'PK')
)
GROUP BY user_id, first_type, last_type
ORDER BY user_id