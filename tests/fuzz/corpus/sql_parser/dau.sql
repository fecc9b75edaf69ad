SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau FROM events GROUP BY day ORDER BY day
