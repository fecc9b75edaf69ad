select event_type, count() c from events where platform = 'android' and event_time >= now() - interval 7 day group by event_type order by c desc limit 10 offset 0
