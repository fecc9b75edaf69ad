SELECT user_id, events, purchases
FROM
(
    SELECT user_id, count() AS events
    FROM events
    GROUP BY user_id
)
ALL INNER JOIN
(
    SELECT user_id, count() AS purchases
    FROM events
    WHERE event_type = 'purchase'
    GROUP BY user_id
) USING user_id
ORDER BY purchases DESC, events DESC, user_id
LIMIT 25