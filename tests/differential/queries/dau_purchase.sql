-- SPEC §9 dau_purchase: distinct users per day who made a purchase.
SELECT toDate(event_time) AS day, uniqExact(user_id) AS buyers
FROM events
WHERE event_type = 'purchase'
GROUP BY day
ORDER BY day
