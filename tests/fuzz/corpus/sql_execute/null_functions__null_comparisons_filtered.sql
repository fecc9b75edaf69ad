SELECT count() AS events
FROM events
WHERE nullIf(platform, 'ios') = 'android'