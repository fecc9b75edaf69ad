#!/usr/bin/env bash
# `make run`: what exists of MUA on its embedded default. Today: mua-gen writes a
# demo month of events and mua-server (local mode) loads and queries them.
# (The HTTP server and the Kafka dev broker arrive with their issues and replace this.)
set -euo pipefail
build_dir=${1:-build/release}
mkdir -p demo-data
"$build_dir/bin/mua-gen" --users 20000 --days 30 --duplicate-share 0.01 --invalid-share 0.005 \
  --out demo-data/events.jsonl
echo "demo events: demo-data/events.jsonl ($(wc -l < demo-data/events.jsonl) lines)"
echo
echo "== mua-server (local mode): the demo events loaded and queried"
"$build_dir/bin/mua-server" --load demo-data/events.jsonl --verbose --query "
  SELECT count() AS events, uniqExact(user_id) AS users, min(event_time), max(event_time)
  FROM events FORMAT PrettyCompact;
  SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau, count() AS events
  FROM events GROUP BY day ORDER BY day LIMIT 7 FORMAT PrettyCompact;
  SELECT level, count() AS users FROM (
    SELECT user_id, windowFunnel(86400)(event_time, event_type = 'view_item',
      event_type = 'add_to_cart', event_type = 'begin_checkout', event_type = 'purchase') AS level
    FROM events GROUP BY user_id) GROUP BY level ORDER BY level FORMAT PrettyCompact;
  SELECT app_version, countIf(event_type = 'app_crash') AS crashes,
         uniqExact(session_id) AS sessions, round(crashes / sessions, 4) AS crash_rate
  FROM events GROUP BY app_version ORDER BY app_version FORMAT PrettyCompact;
  SELECT partition, rows, segments, bytes, users FROM system.partitions LIMIT 5 FORMAT PrettyCompact"
echo
echo "Run your own: $build_dir/bin/mua-server --load demo-data/events.jsonl --query 'SELECT ...'"
