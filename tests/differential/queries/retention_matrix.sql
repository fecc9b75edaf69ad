-- SPEC §5a/§9 retention_matrix (MUA's table function; ClickHouse has none). first_time
-- cohorts: a user's cohort is the period of their first start event EVER (a user first seen
-- before `from` is in no cohort); `on`: retained in period k = active in period cohort+k;
-- `on_or_after`: active in period cohort+k or later (within [from, to)). MUA emits every
-- non-empty cohort with k = 0 .. last period of [from, to) - cohort, zeros included.
-- ClickHouse 18.16: per user the cohort (min over ALL matching events) and a 0/1 vector
-- over k (arrayMap over range), summed per cohort with sumForEach (the vectors of one cohort
-- have equal length), then ARRAY JOIN back to rows: zero cells are kept, unlike an
-- arrayJoin over active days. The data spans 2026-10-01..14 plus a few events on the 15th,
-- so to => '2026-10-16' covers every day. All answers were checked against a Python
-- reference computed from the TSV.

-- name: day
-- clickhouse: SELECT cohort, cohort_size, k1 - 1 AS k, retained, round(100 * retained / cohort_size, 4) AS p
-- clickhouse: FROM
-- clickhouse: (
-- clickhouse:     SELECT cohort, count() AS cohort_size, sumForEach(hits) AS per_k
-- clickhouse:     FROM
-- clickhouse:     (
-- clickhouse:         SELECT user_id, min(toDate(event_time)) AS cohort,
-- clickhouse:                groupUniqArrayIf(toDate(event_time), toDate(event_time) >= toDate('2026-10-01')
-- clickhouse:                                 AND toDate(event_time) < toDate('2026-10-16')) AS days,
-- clickhouse:                arrayMap(i -> toUInt64(has(days, cohort + i)),
-- clickhouse:                         range(toUInt64(toDate('2026-10-16') - cohort))) AS hits
-- clickhouse:         FROM events
-- clickhouse:         GROUP BY user_id
-- clickhouse:         HAVING cohort >= toDate('2026-10-01') AND cohort < toDate('2026-10-16')
-- clickhouse:     )
-- clickhouse:     GROUP BY cohort
-- clickhouse: )
-- clickhouse: ARRAY JOIN per_k AS retained, arrayEnumerate(per_k) AS k1
-- clickhouse: ORDER BY cohort, k1
SELECT cohort, cohort_size, k, retained, round(pct, 4) AS p
FROM retention_matrix(from => '2026-10-01', to => '2026-10-16')
ORDER BY cohort, k

-- name: first_seen_before_from
-- Users whose first event is before `from` belong to no cohort; returns only within [from, to).
-- clickhouse: SELECT cohort, cohort_size, k1 - 1 AS k, retained
-- clickhouse: FROM
-- clickhouse: (
-- clickhouse:     SELECT cohort, count() AS cohort_size, sumForEach(hits) AS per_k
-- clickhouse:     FROM
-- clickhouse:     (
-- clickhouse:         SELECT user_id, min(toDate(event_time)) AS cohort,
-- clickhouse:                groupUniqArrayIf(toDate(event_time), toDate(event_time) >= toDate('2026-10-05')
-- clickhouse:                                 AND toDate(event_time) < toDate('2026-10-12')) AS days,
-- clickhouse:                arrayMap(i -> toUInt64(has(days, cohort + i)),
-- clickhouse:                         range(toUInt64(toDate('2026-10-12') - cohort))) AS hits
-- clickhouse:         FROM events
-- clickhouse:         GROUP BY user_id
-- clickhouse:         HAVING cohort >= toDate('2026-10-05') AND cohort < toDate('2026-10-12')
-- clickhouse:     )
-- clickhouse:     GROUP BY cohort
-- clickhouse: )
-- clickhouse: ARRAY JOIN per_k AS retained, arrayEnumerate(per_k) AS k1
-- clickhouse: ORDER BY cohort, k1
SELECT cohort, cohort_size, k, retained
FROM retention_matrix(from => '2026-10-05', to => '2026-10-12')
ORDER BY cohort, k

-- name: week
-- Weeks start on Monday (cohort = toMonday); from = Thursday 2026-10-01, so the first cohort
-- is labelled 2026-09-28 and covers 10-01..10-04 only; the last week is cut at the 15th.
-- clickhouse: SELECT cohort, cohort_size, k1 - 1 AS k, retained
-- clickhouse: FROM
-- clickhouse: (
-- clickhouse:     SELECT cohort, count() AS cohort_size, sumForEach(hits) AS per_k
-- clickhouse:     FROM
-- clickhouse:     (
-- clickhouse:         SELECT user_id, min(toDate(event_time)) AS first_day, toMonday(first_day) AS cohort,
-- clickhouse:                groupUniqArrayIf(toMonday(toDate(event_time)), toDate(event_time) >= toDate('2026-10-01')
-- clickhouse:                                 AND toDate(event_time) < toDate('2026-10-16')) AS weeks,
-- clickhouse:                arrayMap(i -> toUInt64(has(weeks, cohort + 7 * i)),
-- clickhouse:                         range(toUInt64(intDiv(toMonday(toDate('2026-10-16') - 1) - cohort, 7) + 1))) AS hits
-- clickhouse:         FROM events
-- clickhouse:         GROUP BY user_id
-- clickhouse:         HAVING first_day >= toDate('2026-10-01') AND first_day < toDate('2026-10-16')
-- clickhouse:     )
-- clickhouse:     GROUP BY cohort
-- clickhouse: )
-- clickhouse: ARRAY JOIN per_k AS retained, arrayEnumerate(per_k) AS k1
-- clickhouse: ORDER BY cohort, k1
SELECT cohort, cohort_size, k, retained
FROM retention_matrix(from => '2026-10-01', to => '2026-10-16', period => 'week')
ORDER BY cohort, k

-- name: purchase_start
-- Cohort = day of the user's first purchase ever; returning = any event.
-- clickhouse: SELECT cohort, cohort_size, k1 - 1 AS k, retained
-- clickhouse: FROM
-- clickhouse: (
-- clickhouse:     SELECT cohort, count() AS cohort_size, sumForEach(hits) AS per_k
-- clickhouse:     FROM
-- clickhouse:     (
-- clickhouse:         SELECT user_id, minIf(toDate(event_time), event_type = 'purchase') AS cohort,
-- clickhouse:                groupUniqArrayIf(toDate(event_time), toDate(event_time) >= toDate('2026-10-01')
-- clickhouse:                                 AND toDate(event_time) < toDate('2026-10-16')) AS days,
-- clickhouse:                arrayMap(i -> toUInt64(has(days, cohort + i)),
-- clickhouse:                         range(toUInt64(toDate('2026-10-16') - cohort))) AS hits
-- clickhouse:         FROM events
-- clickhouse:         GROUP BY user_id
-- clickhouse:         HAVING countIf(event_type = 'purchase') > 0
-- clickhouse:            AND cohort >= toDate('2026-10-01') AND cohort < toDate('2026-10-16')
-- clickhouse:     )
-- clickhouse:     GROUP BY cohort
-- clickhouse: )
-- clickhouse: ARRAY JOIN per_k AS retained, arrayEnumerate(per_k) AS k1
-- clickhouse: ORDER BY cohort, k1
SELECT cohort, cohort_size, k, retained
FROM retention_matrix(from => '2026-10-01', to => '2026-10-16', start_event => 'purchase', return_event => '*')
ORDER BY cohort, k

-- name: on_or_after
-- Retained at k = active on cohort+k or any later day before `to` (last active day >= cohort+k).
-- clickhouse: SELECT cohort, cohort_size, k1 - 1 AS k, retained
-- clickhouse: FROM
-- clickhouse: (
-- clickhouse:     SELECT cohort, count() AS cohort_size, sumForEach(hits) AS per_k
-- clickhouse:     FROM
-- clickhouse:     (
-- clickhouse:         SELECT user_id, min(toDate(event_time)) AS cohort,
-- clickhouse:                maxIf(toDate(event_time), toDate(event_time) < toDate('2026-10-16')) AS last_day,
-- clickhouse:                arrayMap(i -> toUInt64(last_day >= cohort + i),
-- clickhouse:                         range(toUInt64(toDate('2026-10-16') - cohort))) AS hits
-- clickhouse:         FROM events
-- clickhouse:         GROUP BY user_id
-- clickhouse:         HAVING cohort >= toDate('2026-10-01') AND cohort < toDate('2026-10-16')
-- clickhouse:     )
-- clickhouse:     GROUP BY cohort
-- clickhouse: )
-- clickhouse: ARRAY JOIN per_k AS retained, arrayEnumerate(per_k) AS k1
-- clickhouse: ORDER BY cohort, k1
SELECT cohort, cohort_size, k, retained
FROM retention_matrix(from => '2026-10-01', to => '2026-10-16', mode => 'on_or_after')
ORDER BY cohort, k
