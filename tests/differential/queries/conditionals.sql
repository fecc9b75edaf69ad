-- CASE, if, multiIf, coalesce/ifNull.

-- name: case_searched
SELECT CASE WHEN platform = 'web' THEN 'desktop' ELSE 'mobile' END AS kind, count() AS events
FROM events
GROUP BY kind
ORDER BY kind

-- name: case_searched_multi
SELECT CASE
         WHEN event_type IN ('purchase', 'begin_checkout', 'add_to_cart') THEN 'commerce'
         WHEN event_type IN ('app_open', 'app_background', 'app_crash') THEN 'lifecycle'
         WHEN event_type = 'sign_up' OR event_type = 'login' THEN 'account'
       END AS category,
       count() AS events
FROM events
WHERE event_type NOT IN ('screen_view', 'click', 'search', 'view_item', 'share', 'notification_open')
GROUP BY category
ORDER BY category

-- name: case_simple
SELECT CASE platform WHEN 'ios' THEN 1 WHEN 'android' THEN 2 ELSE 0 END AS code, count() AS events
FROM events
GROUP BY code
ORDER BY code

-- name: if_region
SELECT if(country IN ('US', 'CA', 'MX'), 'north_america', 'elsewhere') AS area, uniqExact(user_id) AS users
FROM events
GROUP BY area
ORDER BY area

-- name: multi_if_buckets
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

-- name: sum_if_expression
SELECT platform, sum(if(event_type = 'purchase', 1, 0)) AS purchases,
       sum(if(event_type = 'app_crash', 10, 1)) AS weighted
FROM events
GROUP BY platform
ORDER BY platform

-- name: nested_if
SELECT if(platform = 'ios', if(device_type = 'tablet', 'ipad', 'iphone'), platform) AS device, count() AS events
FROM events
GROUP BY device
ORDER BY device

-- name: coalesce_if_null
SELECT coalesce(NULL, country) AS c, ifNull(NULL, platform) AS p, count() AS events
FROM events
WHERE event_type = 'purchase'
GROUP BY c, p
ORDER BY c, p

-- name: if_in_where
SELECT count() FROM events WHERE if(platform = 'web', device_type = 'desktop', device_type != 'desktop')
