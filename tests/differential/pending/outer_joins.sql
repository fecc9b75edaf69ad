-- LEFT / RIGHT / FULL / CROSS joins with explicit ALL. Non-matching rows get the type's
-- default (0, ''), not NULL (join_use_nulls = 0 in both versions). 18.16 caveats: RIGHT and
-- FULL joins only with USING (its ON form fails with 'Block structure mismatch'); default
-- Dates print 0000-00-00 on 18.16 (modern 1970-01-01), so no Date comes from a missing row.

-- name: full_join_using
SELECT city, tablet_events, desktop_events
FROM
(
    SELECT city, count() AS tablet_events FROM events WHERE device_type = 'tablet' AND country IN ('US', 'DE', 'BR') GROUP BY city
)
ALL FULL JOIN
(
    SELECT city, count() AS desktop_events FROM events WHERE device_type = 'desktop' AND country IN ('US', 'FR', 'BR') GROUP BY city
) USING city
ORDER BY city

-- name: full_join_days
SELECT day, signups, crashes
FROM
(
    SELECT toDate(event_time) AS day, count() AS signups FROM events WHERE event_type = 'sign_up' AND toDate(event_time) < '2026-10-10' GROUP BY day
)
ALL FULL JOIN
(
    SELECT toDate(event_time) AS day, count() AS crashes FROM events WHERE event_type = 'app_crash' AND toDate(event_time) >= '2026-10-05' GROUP BY day
) USING day
ORDER BY day
