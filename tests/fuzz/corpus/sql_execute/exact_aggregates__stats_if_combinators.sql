SELECT round(varPopIf(toHour(event_time), platform = 'ios'), 4) AS v_ios,
       round(stddevSampIf(toHour(event_time), platform = 'web'), 4) AS s_web,
       round(corrIf(toHour(event_time), toDayOfMonth(event_time), event_type = 'purchase'), 4) AS r_purchase
FROM events