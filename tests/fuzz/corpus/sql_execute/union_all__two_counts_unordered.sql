SELECT 'ios' AS platform, count() AS events FROM events WHERE platform = 'ios'
UNION ALL
SELECT 'android' AS platform, count() AS events FROM events WHERE platform = 'android'