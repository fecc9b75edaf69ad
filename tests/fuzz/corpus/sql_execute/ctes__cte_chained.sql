WITH
    per_user AS (SELECT user_id, count() AS events FROM events GROUP BY user_id),
    bucketed AS (SELECT user_id, intDiv(events, 50) AS bucket FROM per_user)
SELECT bucket, count() AS users
FROM bucketed
GROUP BY bucket
ORDER BY bucket