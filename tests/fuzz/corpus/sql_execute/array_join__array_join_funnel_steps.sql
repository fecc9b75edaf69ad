SELECT step, count() AS users
FROM
(
    SELECT user_id,
           [countIf(event_type = 'view_item') > 0, countIf(event_type = 'add_to_cart') > 0, countIf(event_type = 'purchase') > 0] AS reached
    FROM events
    GROUP BY user_id
)
ARRAY JOIN reached AS hit, arrayEnumerate(reached) AS step
WHERE hit
GROUP BY step
ORDER BY step