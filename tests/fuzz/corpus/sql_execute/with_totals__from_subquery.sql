SELECT purchases, count() AS users
FROM
(
    SELECT user_id, countIf(event_type = 'purchase') AS purchases FROM events GROUP BY user_id
)
GROUP BY purchases WITH TOTALS
ORDER BY purchases