SELECT toTimeZone(toDateTime('2026-10-05 20:00:00'), 'Asia/Tokyo') AS tokyo,
       toTimeZone(toDateTime('2026-10-05 20:00:00'), 'Asia/Kathmandu') AS kathmandu,
       toTypeName(toTimeZone(toDateTime('2026-10-05 20:00:00'), 'Asia/Kolkata')) AS type