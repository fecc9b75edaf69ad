SELECT platform, ifNull(nullIf(toInt64(countIf(event_type = 'purchase')), 0), -1) AS purchases_or_minus
FROM events
WHERE country = 'CL'
GROUP BY platform
ORDER BY platform