SELECT toYYYYMMDD(event_time) AS day, uniqExact(user_id) AS dau
FROM events
GROUP BY day WITH TOTALS
ORDER BY day