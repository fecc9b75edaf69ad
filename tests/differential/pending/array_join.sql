-- ARRAY JOIN, LEFT ARRAY JOIN and arrayJoin() over groupArray, splitByChar and array
-- literals (a missing element is the type's default; 18.16 prints a default Date as
-- 0000-00-00, modern 1970-01-01, so LEFT ARRAY JOIN is over integers). groupArray's element order depends on the scan, so arrays built from rows are
-- sorted (arraySort) or only counted before they are printed.

-- name: arrayjoin_function_literal
SELECT arrayJoin(['a', 'b', 'c']) AS letter, count() AS events
FROM events
WHERE event_type = 'app_crash'
GROUP BY letter
ORDER BY letter

-- name: arrayjoin_function_range
SELECT arrayJoin(range(5)) AS n, n * n AS sq
ORDER BY n

-- name: arrayjoin_group_array_sorted
SELECT arrayJoin(arraySort(groupUniqArray(country))) AS c
FROM events
WHERE platform = 'web'
ORDER BY c

-- name: array_join_same_name
SELECT arr, count() AS c
FROM (SELECT user_id, [platform, device_type] AS arr FROM events WHERE country = 'CL')
ARRAY JOIN arr
GROUP BY arr
ORDER BY arr

-- name: array_join_funnel_steps
SELECT step, count() AS users
FROM
(
    SELECT user_id,
           [countIf(event_type = 'view_item') > 0, countIf(event_type = 'add_to_cart') > 0, countIf(event_type = 'purchase') > 0] AS reached
    FROM events
    GROUP BY user_id
)
ARRAY JOIN reached AS hit, arrayEnumerate(reached) AS step
WHERE hit
GROUP BY step
ORDER BY step

-- name: arrayjoin_in_select_with_group
SELECT arrayJoin(splitByChar('.', os_version)) AS piece, uniqExact(user_id) AS users
FROM events
WHERE platform = 'ios'
GROUP BY piece
ORDER BY piece
