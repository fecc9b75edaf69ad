-- ARRAY JOIN, LEFT ARRAY JOIN and arrayJoin() over groupArray, splitByChar and array
-- literals (a missing element is the type's default; 18.16 prints a default Date as
-- 0000-00-00, modern 1970-01-01, so LEFT ARRAY JOIN is over integers). groupArray's element order depends on the scan, so arrays built from rows are
-- sorted (arraySort) or only counted before they are printed.

-- name: array_join_literal
SELECT platform, k, count() AS events
FROM events
ARRAY JOIN [1, 2, 3] AS k
WHERE event_type = 'purchase'
GROUP BY platform, k
ORDER BY platform, k

-- name: array_join_split_version
SELECT part, count() AS events
FROM events
ARRAY JOIN splitByChar('.', app_version) AS part
GROUP BY part
ORDER BY part

-- name: array_join_split_with_index
SELECT i, part, count() AS events
FROM events
ARRAY JOIN splitByChar('.', app_version) AS part, arrayEnumerate(splitByChar('.', app_version)) AS i
GROUP BY i, part
ORDER BY i, part

-- name: array_join_group_array_back
SELECT user_id, day
FROM
(
    SELECT user_id, arraySort(groupUniqArray(toDate(event_time))) AS days
    FROM events
    WHERE event_type = 'purchase'
    GROUP BY user_id
)
ARRAY JOIN days AS day
ORDER BY user_id, day
LIMIT 40

-- name: array_join_days_per_user_hist
SELECT day, count() AS buyers
FROM
(
    SELECT user_id, groupUniqArray(toDate(event_time)) AS days
    FROM events
    WHERE event_type = 'purchase'
    GROUP BY user_id
)
ARRAY JOIN days AS day
GROUP BY day
ORDER BY day

-- name: left_array_join_empty_arrays
SELECT user_id, crash_day
FROM
(
    SELECT user_id, groupArrayIf(toDayOfMonth(event_time), event_type = 'app_crash') AS crashes
    FROM events
    WHERE country = 'SE'
    GROUP BY user_id
)
LEFT ARRAY JOIN crashes AS crash_day
WHERE crash_day != 9
ORDER BY user_id, crash_day

-- name: left_array_join_keeps_rows
SELECT count() AS rows, countIf(x = '') AS empty_rows
FROM
(
    SELECT user_id, groupArrayIf(event_id, event_type = 'app_crash') AS ids
    FROM events
    GROUP BY user_id
)
LEFT ARRAY JOIN ids AS x

-- name: inner_array_join_drops_empty
SELECT count() AS rows
FROM
(
    SELECT user_id, groupArrayIf(event_id, event_type = 'app_crash') AS ids
    FROM events
    GROUP BY user_id
)
ARRAY JOIN ids AS x

-- name: array_join_two_arrays_zipped
SELECT k, v
FROM (SELECT ['a', 'b', 'c'] AS ks, [10, 20, 30] AS vs)
ARRAY JOIN ks AS k, vs AS v
ORDER BY k

-- name: array_join_property_split
-- clickhouse: SELECT piece, count() AS events FROM events
-- clickhouse: ARRAY JOIN splitByChar('_', visitParamExtractString(properties, 'button_id')) AS piece
-- clickhouse: WHERE event_type = 'click' GROUP BY piece ORDER BY events DESC, piece
SELECT piece, count() AS events FROM events
ARRAY JOIN splitByChar('_', JSONExtractString(properties, 'button_id')) AS piece
WHERE event_type = 'click'
GROUP BY piece
ORDER BY events DESC, piece

-- name: array_join_where_on_element
SELECT user_id, d
FROM
(
    SELECT user_id, groupUniqArray(toDayOfMonth(event_time)) AS ds
    FROM events
    WHERE event_type = 'app_crash'
    GROUP BY user_id
)
ARRAY JOIN ds AS d
WHERE d % 2 = 0
ORDER BY user_id, d

-- name: array_join_hours_matrix
SELECT h, countIf(toHour(event_time) = h) AS events
FROM events
ARRAY JOIN [0, 6, 12, 18] AS h
WHERE event_type = 'login'
GROUP BY h
ORDER BY h

-- name: array_join_range_cohort
SELECT k, count() AS users
FROM
(
    SELECT user_id, dateDiff('day', min(toDate(event_time)), max(toDate(event_time))) AS span
    FROM events
    GROUP BY user_id
)
ARRAY JOIN range(toUInt64(span + 1)) AS k
GROUP BY k
ORDER BY k

-- name: arrayjoin_function_literal
SELECT arrayJoin(['a', 'b', 'c']) AS letter, count() AS events
FROM events
WHERE event_type = 'app_crash'
GROUP BY letter
ORDER BY letter

-- name: arrayjoin_function_range
SELECT arrayJoin(range(5)) AS n, n * n AS sq
ORDER BY n

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

-- name: arrayjoin_group_array_sorted
SELECT arrayJoin(arraySort(groupUniqArray(country))) AS c
FROM events
WHERE platform = 'web'
ORDER BY c
