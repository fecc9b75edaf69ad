SELECT DISTINCT user_id, day, dense_rank() OVER (PARTITION BY user_id ORDER BY day) AS day_index,
       rank() OVER (PARTITION BY user_id ORDER BY day) AS first_row_of_day
FROM (SELECT user_id, toDate(event_time) AS day FROM events WHERE country = 'TH')
ORDER BY user_id, day