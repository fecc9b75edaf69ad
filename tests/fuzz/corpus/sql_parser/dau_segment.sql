SELECT toDate(event_time) AS day, uniqExact(user_id) FROM events WHERE platform = 'ios' AND country = 'US' GROUP BY day ORDER BY day;
