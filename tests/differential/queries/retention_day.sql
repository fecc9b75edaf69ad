-- SPEC §9 retention_day: of the users active on X = 2026-10-01, how many were active on
-- X+1, X+7 and X+14 (2026-10-15 holds only sessions that ran past the generated period).
-- The conditions are mutually exclusive per row (one day each): 18.16 agrees with modern.
SELECT sum(r[1]) AS active_x, sum(r[2]) AS x_plus_1, sum(r[3]) AS x_plus_7, sum(r[4]) AS x_plus_14
FROM
(
    SELECT user_id,
           retention(toDate(event_time) = toDate('2026-10-01'),
                     toDate(event_time) = toDate('2026-10-02'),
                     toDate(event_time) = toDate('2026-10-08'),
                     toDate(event_time) = toDate('2026-10-15')) AS r
    FROM events
    WHERE toDate(event_time) IN (toDate('2026-10-01'), toDate('2026-10-02'),
                                 toDate('2026-10-08'), toDate('2026-10-15'))
    GROUP BY user_id
)
