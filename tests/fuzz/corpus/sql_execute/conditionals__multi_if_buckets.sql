SELECT multiIf(events < 20, 'a_light', events < 100, 'b_medium', events < 300, 'c_heavy', 'd_power') AS bucket,
       count() AS users
FROM
(
    SELECT user_id, count() AS events
    FROM events
    GROUP BY user_id
)
GROUP BY bucket
ORDER BY bucket