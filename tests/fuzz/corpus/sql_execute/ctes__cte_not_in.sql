WITH buyers AS (SELECT user_id FROM events WHERE event_type = 'purchase')
SELECT count() AS users
FROM (SELECT DISTINCT user_id FROM events)
WHERE user_id NOT IN buyers