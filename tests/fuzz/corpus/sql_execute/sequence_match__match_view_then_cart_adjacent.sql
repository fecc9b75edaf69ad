SELECT m, count() AS users
FROM
(
    SELECT user_id, sequenceMatch('(?1)(?2)')(toDateTime(event_time), event_type = 'view_item', event_type = 'add_to_cart') AS m
    FROM events
    GROUP BY user_id
)
GROUP BY m
ORDER BY m