SELECT platform, arraySort(groupUniqArrayIf(country, event_type = 'app_crash')) AS crash_countries
FROM events
GROUP BY platform
ORDER BY platform