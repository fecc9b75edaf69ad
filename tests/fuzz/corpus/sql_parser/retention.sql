SELECT sum(r[1]) AS d0, sum(r[2]) AS d1, sum(r[3]) AS d7
FROM (
  SELECT user_id, retention(toDate(event_time) = '2026-10-01', toDate(event_time) = '2026-10-02', toDate(event_time) = '2026-10-08') AS r
  FROM events WHERE toDate(event_time) IN ('2026-10-01', '2026-10-02', '2026-10-08')
  GROUP BY user_id)
