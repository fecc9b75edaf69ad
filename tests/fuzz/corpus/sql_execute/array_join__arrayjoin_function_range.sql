SELECT arrayJoin(range(5)) AS n, n * n AS sq
ORDER BY n