SELECT toStartOfInterval(toDateTime(event_time), INTERVAL 6 HOUR) AS bucket, uniqExact(user_id) AS users
FROM events
GROUP BY bucket
ORDER BY bucket