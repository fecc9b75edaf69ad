-- Array functions and lambdas: has, length, arrayMap/arrayFilter/arrayExists with lambdas,
-- arraySort, arrayStringConcat, range, splitByChar, arrayElement, indexOf, arrayDistinct...
-- groupArray / groupUniqArray results are sorted before printing (their order follows the scan).

-- name: literal_functions
SELECT length([1, 2, 3]) AS len, has([1, 2, 3], 2) AS has2, has(['a', 'b'], 'c') AS hasc,
       indexOf([5, 6, 7], 7) AS idx, [10, 20, 30][2] AS second, arrayElement(['x', 'y'], 1) AS first

-- name: literal_lambdas
SELECT arrayMap(x -> x * 2, [1, 2, 3]) AS doubled, arrayFilter(x -> x % 2 = 1, range(10)) AS odd,
       arrayExists(x -> x > 5, [1, 7]) AS some, arrayExists(x -> x > 9, [1, 7]) AS none

-- name: literal_sort_concat
SELECT arraySort([3, 1, 2]) AS s, arrayReverseSort([3, 1, 2]) AS rs, arraySort(['b', 'c', 'a']) AS ss,
       arrayStringConcat(['a', 'b', 'c'], '-') AS joined, arrayStringConcat(['x', 'y']) AS glued

-- name: literal_range_split
SELECT range(4) AS r, splitByChar(',', 'a,b,,c') AS parts, splitByString('::', 'a::b') AS parts2,
       arrayReverse([1, 2, 3]) AS rev, arrayConcat([1], [2, 3]) AS cat, arraySlice([1, 2, 3, 4], 2, 2) AS sl

-- name: literal_distinct_empty
SELECT arraySort(arrayDistinct([3, 1, 3, 2, 1])) AS d, emptyArrayString() AS e, length(emptyArrayString()) AS l,
       empty([1]) AS e1, notEmpty([1]) AS ne

-- name: literal_string_escapes
SELECT ['it\'s', 'tab\there', 'back\\slash'] AS arr, length(arr) AS n

-- name: group_uniq_array_sorted
SELECT platform, arraySort(groupUniqArray(device_type)) AS devices
FROM events
GROUP BY platform
ORDER BY platform

-- name: group_array_sorted_per_country
SELECT country, arraySort(groupUniqArray(city)) AS cities, length(cities) AS n
FROM events
GROUP BY country
ORDER BY n DESC, country
LIMIT 8

-- name: group_array_length_equals_count
SELECT event_type, length(groupArray(event_id)) AS n, count() AS c
FROM events
GROUP BY event_type
ORDER BY event_type

-- name: group_array_sort_numbers
SELECT user_id, arraySort(groupArray(toInt64(event_id))) AS ids
FROM events
WHERE event_type = 'app_crash' AND country = 'US'
GROUP BY user_id
ORDER BY user_id
LIMIT 10

-- name: has_on_user_days
SELECT countIf(has(days, toDate('2026-10-01'))) AS day1, countIf(has(days, toDate('2026-10-08'))) AS day8,
       countIf(has(days, toDate('2026-10-01')) AND has(days, toDate('2026-10-08'))) AS both
FROM
(
    SELECT user_id, groupUniqArray(toDate(event_time)) AS days FROM events GROUP BY user_id
)

-- name: array_map_over_group
SELECT user_id, arraySort(arrayMap(d -> toDayOfMonth(d), groupUniqArray(toDate(event_time)))) AS dom
FROM events
WHERE event_type = 'purchase'
GROUP BY user_id
ORDER BY length(dom) DESC, user_id
LIMIT 10

-- name: array_filter_over_group
SELECT user_id, length(arrayFilter(t -> t = 'purchase', groupArray(event_type))) AS purchases, countIf(event_type = 'purchase') AS check
FROM events
GROUP BY user_id
HAVING purchases > 2
ORDER BY purchases DESC, user_id
LIMIT 15

-- name: array_exists_users
SELECT arrayExists(t -> t = 'app_crash', types) AS crashed, count() AS users
FROM
(
    SELECT user_id, groupUniqArray(event_type) AS types FROM events GROUP BY user_id
)
GROUP BY crashed
ORDER BY crashed

-- name: array_string_concat_sorted
SELECT user_id, arrayStringConcat(arraySort(groupUniqArray(event_type)), ',') AS types
FROM events
WHERE country = 'CL'
GROUP BY user_id
ORDER BY user_id

-- name: split_by_char_elements
SELECT splitByChar('.', app_version)[1] AS major, splitByChar('.', app_version)[2] AS minor, count() AS events
FROM events
GROUP BY major, minor
ORDER BY major, minor

-- name: split_length_filter
SELECT length(splitByChar('.', os_version)) AS parts, count() AS events
FROM events
GROUP BY parts
ORDER BY parts

-- name: range_with_map
SELECT arrayMap(i -> i * i, range(6)) AS squares, arrayMap(i -> toDate('2026-10-01') + i, range(3)) AS days

-- name: index_of_in_group
SELECT indexOf(arraySort(groupUniqArray(platform)), 'web') AS web_pos, length(groupUniqArray(platform)) AS n
FROM events

-- name: array_in_where
SELECT event_type, count() AS events
FROM events
WHERE has(['purchase', 'add_to_cart', 'begin_checkout'], event_type)
GROUP BY event_type
ORDER BY event_type

-- name: array_element_out_of_range
SELECT [1, 2, 3][5] AS missing_int, ['a'][3] AS missing_str, [1, 2, 3][-1] AS last

-- name: array_sort_lambda_key
SELECT arraySort(x -> -x, [3, 1, 2]) AS desc_sorted, arraySort(x -> length(x), ['ccc', 'a', 'bb']) AS by_len

-- name: array_map_two_arrays
SELECT arrayMap((x, y) -> x + y, [1, 2, 3], [10, 20, 30]) AS sums,
       arrayMap((a, b) -> concat(a, b), ['x', 'y'], ['1', '2']) AS pairs

-- name: array_count_sum
SELECT arrayCount(x -> x > 1, [1, 2, 3]) AS c, arraySum([1, 2, 3]) AS s, arrayEnumerate(['a', 'b', 'c']) AS e

-- name: array_of_user_events_first_last
SELECT user_id, arraySort(groupArray(toInt64(event_id)))[1] AS first_id, arrayReverseSort(groupArray(toInt64(event_id)))[1] AS last_id, count() AS n
FROM events
WHERE country = 'TH'
GROUP BY user_id
ORDER BY user_id

-- name: array_distinct_length
SELECT country, length(arrayDistinct(groupArray(city))) AS cities, uniqExact(city) AS check
FROM events
GROUP BY country
ORDER BY country

-- name: array_filter_strings
SELECT arrayFilter(s -> s != '', splitByChar(',', 'a,,b,')) AS nonempty, arrayFilter(s -> s LIKE 'b%', ['ab', 'ba', 'bb']) AS bs

-- name: arrays_group_by_array
SELECT splitByChar('.', app_version) AS v, count() AS events
FROM events
GROUP BY v
ORDER BY events DESC, arrayStringConcat(v, '.')
LIMIT 5

-- name: days_active_vector
SELECT cohort, sumForEach(active) AS per_day
FROM
(
    SELECT user_id, min(toDate(event_time)) AS cohort, groupUniqArray(toDate(event_time)) AS days,
           arrayMap(i -> has(days, cohort + i), range(4)) AS active
    FROM events
    GROUP BY user_id
)
WHERE cohort < '2026-10-05'
GROUP BY cohort
ORDER BY cohort
