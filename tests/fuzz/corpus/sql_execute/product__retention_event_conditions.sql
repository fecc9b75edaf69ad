SELECT sum(r[1]) AS viewers, sum(r[2]) AS viewers_who_bought_later_or_before
FROM
(
    SELECT user_id,
           retention(event_type = 'view_item' AND toDate(event_time) = '2026-10-04',
                     event_type = 'purchase' AND toDate(event_time) != '2026-10-04') AS r
    FROM events
    GROUP BY user_id
)