SELECT user_id, arrayStringConcat(arraySort(groupUniqArray(event_type)), ',') AS types
FROM events
WHERE country = 'CL'
GROUP BY user_id
ORDER BY user_id