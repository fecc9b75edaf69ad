SELECT arrayJoin(['a', 'b', 'c']) AS letter, count() AS events
FROM events
WHERE event_type = 'app_crash'
GROUP BY letter
ORDER BY letter