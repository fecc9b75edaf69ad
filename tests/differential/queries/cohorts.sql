-- user_id IN (SELECT user_id FROM events WHERE ...) cohorts (bitmap algebra in MUA).

-- name: buyers_platforms
SELECT platform, uniqExact(user_id) AS buyers
FROM events
WHERE user_id IN (SELECT user_id FROM events WHERE event_type = 'purchase')
GROUP BY platform
ORDER BY platform

-- name: never_bought
SELECT count() AS events, uniqExact(user_id) AS users
FROM events
WHERE user_id NOT IN (SELECT user_id FROM events WHERE event_type = 'purchase')

-- name: signup_cohort_return
SELECT toDate(event_time) AS day, uniqExact(user_id) AS returning
FROM events
WHERE toDate(event_time) > '2026-10-01'
  AND user_id IN (SELECT user_id FROM events WHERE event_type = 'sign_up' AND toDate(event_time) = '2026-10-01')
GROUP BY day
ORDER BY day

-- name: two_cohorts_and
SELECT uniqExact(user_id) AS users
FROM events
WHERE user_id IN (SELECT user_id FROM events WHERE event_type = 'app_crash')
  AND user_id IN (SELECT user_id FROM events WHERE event_type = 'purchase')

-- name: cohort_or_not
SELECT platform, uniqExact(user_id) AS users
FROM events
WHERE user_id IN (SELECT user_id FROM events WHERE event_type = 'share')
   OR user_id NOT IN (SELECT user_id FROM events WHERE event_type = 'search')
GROUP BY platform
ORDER BY platform

-- name: crashers_versions
SELECT app_version, uniqExact(user_id) AS users, countIf(event_type = 'app_crash') AS crashes
FROM events
WHERE user_id IN (SELECT user_id FROM events WHERE event_type = 'app_crash')
GROUP BY app_version
ORDER BY app_version

-- name: literal_user_list
SELECT user_id, count() AS events, uniqExact(toDate(event_time)) AS days
FROM events
WHERE user_id IN ('u1', 'u2', 'u3', 'u92', 'u171', 'no-such-user')
GROUP BY user_id
ORDER BY user_id

-- name: cohort_from_filtered_segment
SELECT toDate(event_time) AS day, uniqExact(user_id) AS users
FROM events
WHERE user_id IN (SELECT user_id FROM events WHERE country = 'US' AND platform = 'ios' AND event_type = 'add_to_cart')
GROUP BY day
ORDER BY day

-- name: empty_cohort
SELECT count() FROM events WHERE user_id IN (SELECT user_id FROM events WHERE event_type = 'no_such_event')
