SELECT round(varPop(toHour(event_time)), 4) AS vp, round(varSamp(toHour(event_time)), 4) AS vs,
       round(stddevPop(toHour(event_time)), 4) AS sp, round(stddevSamp(toHour(event_time)), 4) AS ss
FROM events