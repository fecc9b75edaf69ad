SELECT count() AS rows, countIf(x = '') AS empty_rows
FROM
(
    SELECT user_id, groupArrayIf(event_id, event_type = 'app_crash') AS ids
    FROM events
    GROUP BY user_id
)
LEFT ARRAY JOIN ids AS x