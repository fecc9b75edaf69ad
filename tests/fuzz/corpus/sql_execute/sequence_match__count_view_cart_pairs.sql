SELECT c, count() AS users
FROM
(
    SELECT user_id, sequenceCount('(?1)(?2)')(toDateTime(event_time), event_type = 'view_item', event_type = 'add_to_cart') AS c
    FROM events
    GROUP BY user_id
)
GROUP BY c
ORDER BY c