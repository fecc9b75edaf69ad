SELECT piece, count() AS events FROM events
ARRAY JOIN splitByChar('_', JSONExtractString(properties, 'button_id')) AS piece
WHERE event_type = 'click'
GROUP BY piece
ORDER BY events DESC, piece