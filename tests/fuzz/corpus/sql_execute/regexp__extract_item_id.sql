SELECT extract(properties, '"item_id":"([^"]+)"') AS item, count() AS events
FROM events
WHERE event_type = 'purchase'
GROUP BY item
ORDER BY events DESC, item
LIMIT 10