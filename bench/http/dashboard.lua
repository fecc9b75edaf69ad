-- wrk script: a product dashboard's seven panels (issue 19, SPEC §10), each request one
-- panel's query in turn, POSTed to MUA's SQL endpoint (bench/http/dashboard_load.sh):
-- DAU, the purchase funnel, sessions per day, crash health, weekly retention, top events,
-- revenue — over the mua-gen month of bench/queries (2026-10-01 .. 2026-10-31).
-- QUERY_CACHE=1 in the environment asks for the result cache (use_query_cache=1).
local queries = {
  -- DAU
  "SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau FROM events GROUP BY day ORDER BY day",
  -- the purchase funnel
  "SELECT * FROM funnel(steps => ['app_open', 'view_item', 'add_to_cart', 'purchase'], from => '2026-10-01', to => '2026-11-01')",
  -- sessions per day (SPEC §9 sessions)
  "SELECT day, count() AS sessions, round(avg(length_s), 4) AS avg_length_s, quantileExact(0.5)(length_s) AS median_length_s FROM (SELECT user_id, session_id, toDate(min(event_time)) AS day, dateDiff('second', toDateTime(min(event_time)), toDateTime(max(event_time))) AS length_s FROM events WHERE session_id != '' GROUP BY user_id, session_id) GROUP BY day ORDER BY day",
  -- crash health per app version
  "SELECT * FROM crash_health(from => '2026-10-01', to => '2026-11-01') ORDER BY app_version",
  -- weekly retention
  "SELECT cohort, cohort_size, k, retained FROM retention_matrix(period => 'week', from => '2026-10-01', to => '2026-11-01') ORDER BY cohort, k",
  -- top events (SPEC §9 top_events)
  "SELECT event_type, count() AS events FROM events WHERE platform = 'android' AND event_time >= '2026-10-08 00:00:00' AND event_time < '2026-10-15 00:00:00' GROUP BY event_type ORDER BY events DESC, event_type",
  -- revenue by country (SPEC §9 revenue)
  "SELECT country, round(sum(JSONExtractFloat(properties, 'price')), 2) AS revenue, uniqExact(user_id) AS buyers FROM events WHERE event_type = 'purchase' GROUP BY country ORDER BY revenue DESC, country",
}
local path = os.getenv("QUERY_CACHE") == "1" and "/?use_query_cache=1" or "/"
local i = 0
request = function()
  i = i + 1
  local sql = queries[(i % #queries) + 1]
  return wrk.format("POST", path, {["Content-Type"] = "text/plain"}, sql)
end
response = function(status, headers, body)
  if status ~= 200 then
    io.stderr:write("status " .. status .. ": " .. body:sub(1, 200) .. "\n")
  end
end
