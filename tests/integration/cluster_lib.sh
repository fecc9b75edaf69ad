# Sourced after lib.sh by the cluster tests: one cluster of 3 shards x 2 replicas on free
# loopback ports, its file, and its nodes.
#   write_cluster_file PARTITIONS   ports[0..5] and $WORK/cluster.json (uses $BOOTSTRAP)
#   start_node I                    node I of the file (shard I/2 + 1), data in $WORK/data-nodeI
#   node_up I                       waits for node I's /ping
#   kill_node I...                  kill -9, reaped (no job-control message)
#   node_sql PORT SQL               lib.sh's sql on that node (a SELECT answers over the cluster)
#   shard_sql PORT SQL              the same over that node's own shard only (distributed=0)
# REQUIRES: $SERVER, $WORK, lib.sh's pids and sql.

write_cluster_file() {
  ports=()
  for _ in 1 2 3 4 5 6; do ports+=("$(free_port)"); done
  cat >"$WORK/cluster.json" <<JSON
{"kafka": {"brokers": "$BOOTSTRAP", "topics": ["mobile_app_events"], "partitions": $1},
 "shards": [{"replicas": ["127.0.0.1:${ports[0]}", "127.0.0.1:${ports[1]}"]},
            {"replicas": ["127.0.0.1:${ports[2]}", "127.0.0.1:${ports[3]}"]},
            {"replicas": ["127.0.0.1:${ports[4]}", "127.0.0.1:${ports[5]}"]}]}
JSON
}

node_pids=()
start_node() {
  "$SERVER" --cluster "$WORK/cluster.json" --node "127.0.0.1:${ports[$1]}" --data_dir "$WORK/data-node$1" \
    --cluster_split_check_s 2 \
    >>"$WORK/node$1.out" 2>>"$WORK/node$1.err" &
  node_pids[$1]=$!
  pids+=($!)
}

node_up() {
  for _ in $(seq 150); do
    [[ "$(curl -s --max-time 1 "http://127.0.0.1:${ports[$1]}/ping")" == "Ok." ]] && return 0
    sleep 0.2
  done
  return 1
}

kill_node() {
  local i
  for i in "$@"; do { kill -KILL "${node_pids[$i]}" && wait "${node_pids[$i]}"; } 2>/dev/null; done
}

node_sql() { HTTP_PORT=$1 sql "$2"; }
shard_sql() { curl -s --max-time 30 --data-binary "$2" "http://127.0.0.1:$1/?distributed=0"; }
