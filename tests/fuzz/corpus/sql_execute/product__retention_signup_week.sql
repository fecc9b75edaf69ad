SELECT sum(r[1]) AS signed_up, sum(r[2]) AS d1, sum(r[3]) AS d2, sum(r[4]) AS d3,
       sum(r[5]) AS d4, sum(r[6]) AS d5, sum(r[7]) AS d6, sum(r[8]) AS d7
FROM
(
    SELECT user_id,
           retention(event_type = 'sign_up' AND toDate(event_time) = '2026-10-03',
                     toDate(event_time) = '2026-10-04', toDate(event_time) = '2026-10-05',
                     toDate(event_time) = '2026-10-06', toDate(event_time) = '2026-10-07',
                     toDate(event_time) = '2026-10-08', toDate(event_time) = '2026-10-09',
                     toDate(event_time) = '2026-10-10') AS r
    FROM events
    GROUP BY user_id
)