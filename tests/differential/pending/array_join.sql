-- ARRAY JOIN, LEFT ARRAY JOIN and arrayJoin() over groupArray, splitByChar and array
-- literals (a missing element is the type's default; 18.16 prints a default Date as
-- 0000-00-00, modern 1970-01-01, so LEFT ARRAY JOIN is over integers). groupArray's element order depends on the scan, so arrays built from rows are
-- sorted (arraySort) or only counted before they are printed.

-- name: arrayjoin_group_array_sorted
SELECT arrayJoin(arraySort(groupUniqArray(country))) AS c
FROM events
WHERE platform = 'web'
ORDER BY c
