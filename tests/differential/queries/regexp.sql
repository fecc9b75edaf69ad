-- Regular expressions (RE2 in both): match, extract (first group, or the whole match without
-- one), extractAll, replaceRegexpOne/All; '\\' in SQL strings is one backslash. 18.16 ignores
-- an inline (?i) flag (0 matches where modern ClickHouse finds them), so none is used.

-- name: match_cities
SELECT city, count() AS events
FROM events
WHERE match(city, '^S[a-z]')
GROUP BY city
ORDER BY city

-- name: match_models
SELECT countIf(match(device_model, '^iPhone')) AS iphones, countIf(match(device_model, 'Galaxy|Pixel')) AS android_models
FROM events

-- name: extract_item_id
SELECT extract(properties, '"item_id":"([^"]+)"') AS item, count() AS events
FROM events
WHERE event_type = 'purchase'
GROUP BY item
ORDER BY events DESC, item
LIMIT 10

-- name: extract_number_from_sku
SELECT toUInt32(extract(properties, 'sku_(\\d+)')) % 10 AS last_digit, count() AS events
FROM events
WHERE event_type = 'view_item'
GROUP BY last_digit
ORDER BY last_digit

-- name: extract_without_group
SELECT extract(app_version, '\\d+\\.\\d+') AS major_minor, count() AS events
FROM events
GROUP BY major_minor
ORDER BY major_minor

-- name: extract_all_digits
SELECT app_version, extractAll(app_version, '\\d+') AS numbers
FROM events
GROUP BY app_version
ORDER BY app_version

-- name: replace_regexp_all
SELECT replaceRegexpAll(os_version, '\\.', '_') AS v, count() AS events
FROM events
GROUP BY v
ORDER BY events DESC, v
LIMIT 10

-- name: replace_regexp_one
SELECT replaceRegexpOne(city, '^(\\w)\\w*', '\\1.') AS short, count() AS events
FROM events
WHERE country = 'US'
GROUP BY short
ORDER BY short

-- name: replace_regexp_backrefs
SELECT replaceRegexpAll('2026-10-05', '(\\d+)-(\\d+)-(\\d+)', '\\3/\\2/\\1') AS dmy,
       replaceRegexpOne('aaa', 'a', 'b') AS one, replaceRegexpAll('aaa', 'a', 'b') AS all_

-- name: match_json_property
SELECT event_type, count() AS events
FROM events
WHERE match(properties, '"price":\\d+\\.99')
GROUP BY event_type
ORDER BY event_type

-- name: extract_empty_when_no_match
SELECT countIf(extract(properties, '"nope":"([^"]*)"') = '') AS empty_extracts, count() AS events
FROM events
WHERE event_type = 'login'
