SELECT count() AS events, countIf(toDateTime(toUnixTimestamp(event_time)) = toDateTime(event_time)) AS same
FROM events