SELECT user_id, sum(points) AS score
FROM
(
    SELECT user_id, 10 * count() AS points FROM events WHERE event_type = 'purchase' GROUP BY user_id
    UNION ALL
    SELECT user_id, 3 * count() AS points FROM events WHERE event_type = 'add_to_cart' GROUP BY user_id
    UNION ALL
    SELECT user_id, count() AS points FROM events WHERE event_type = 'share' GROUP BY user_id
)
GROUP BY user_id
ORDER BY score DESC, user_id
LIMIT 20