SELECT floor(log2(n)) AS bucket, count() AS users
FROM
(
    SELECT user_id, count() AS n FROM events GROUP BY user_id
)
GROUP BY bucket
ORDER BY bucket