SELECT CASE WHEN platform = 'web' THEN 'desktop' ELSE 'mobile' END AS kind, count() AS events
FROM events
GROUP BY kind
ORDER BY kind