-- wrk script: each request is one of a Grafana-style dashboard's queries, in turn,
-- POSTed to MUA's SQL endpoint (bench/http/dashboard_load.sh).
-- The bitmap-backed and light scan queries of SPEC §9 (bench/queries/*.sql) plus the
-- product-analytics table functions a DAU/retention dashboard shows.
local queries = {
  "SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau FROM events GROUP BY day ORDER BY day",
  "SELECT toDate(event_time) AS day, uniqExact(user_id) AS buyers FROM events WHERE event_type = 'purchase' GROUP BY day ORDER BY day",
  "SELECT toStartOfMonth(event_time) AS month, uniqExact(user_id) AS mau FROM events WHERE event_time >= '2026-10-01 00:00:00' AND event_time < '2026-11-01 00:00:00' GROUP BY month ORDER BY month",
  "SELECT sum(r[1]) AS active_x, sum(r[2]) AS x_plus_1, sum(r[3]) AS x_plus_7, sum(r[4]) AS x_plus_14 FROM ( SELECT user_id, retention(toDate(event_time) = toDate('2026-10-01'), toDate(event_time) = toDate('2026-10-02'), toDate(event_time) = toDate('2026-10-08'), toDate(event_time) = toDate('2026-10-15')) AS r FROM events WHERE toDate(event_time) IN (toDate('2026-10-01'), toDate('2026-10-02'), toDate('2026-10-08'), toDate('2026-10-15')) GROUP BY user_id )",
  "SELECT cohort, cohort_size, k, retained FROM retention_matrix(from => '2026-10-01', to => '2026-11-01') ORDER BY cohort, k",
  "SELECT event_type, count() AS events FROM events WHERE platform = 'android' AND event_time >= '2026-10-08 00:00:00' AND event_time < '2026-10-15 00:00:00' GROUP BY event_type ORDER BY events DESC, event_type",
  "SELECT * FROM active_users(from => '2026-10-01', to => '2026-10-31')",
  "SELECT * FROM lifecycle(from => '2026-10-01', to => '2026-10-31')",
}
local i = 0
request = function()
  i = i + 1
  local sql = queries[(i % #queries) + 1]
  return wrk.format("POST", "/", {["Content-Type"] = "text/plain"}, sql)
end
response = function(status, headers, body)
  if status ~= 200 then
    io.stderr:write("status " .. status .. ": " .. body:sub(1, 200) .. "\n")
  end
end
