#!/usr/bin/env bash
# Starts a private ClickHouse server (Debian's clickhouse-server 18.16) for the differential
# suite: its own config, data, tmp and log under one directory, listening on 127.0.0.1 only
# (TCP 9001, HTTP 8124 by default; never 8123/9000, MUA uses 8720), UTC, modest memory.
# Installs clickhouse-server/clickhouse-client with apt-get when missing.
#
#   start_clickhouse.sh [DIR]     # DIR defaults to a new mktemp -d; prints "DIR PID"
#   stop_clickhouse.sh DIR
#
# Env: CH_TCP_PORT (9001), CH_HTTP_PORT (8124), CH_START_TIMEOUT (60 s),
#      CH_MAX_MEMORY (per-query bytes, 2000000000).
# Writes DIR/clickhouse.pid, DIR/config.xml, DIR/users.xml, logs in DIR/log/.
set -euo pipefail

tcp_port="${CH_TCP_PORT:-9001}"
http_port="${CH_HTTP_PORT:-8124}"
timeout_s="${CH_START_TIMEOUT:-60}"
max_memory="${CH_MAX_MEMORY:-2000000000}"

log() { echo "start_clickhouse: $*" >&2; }

server_bin=""
find_server() {
  server_bin="$(command -v clickhouse-server || true)"
  if [[ -z "$server_bin" && -x /usr/sbin/clickhouse-server ]]; then
    server_bin=/usr/sbin/clickhouse-server
  fi
}
find_server
# Tests that start ClickHouse run side by side (ctest -j): on a fresh machine one installs it
# while the others wait for it, instead of all of them racing for dpkg's lock.
exec 9>>/tmp/mua-clickhouse-install.lock
flock 9
find_server
if [[ -z "$server_bin" ]] || ! command -v clickhouse-client >/dev/null; then
  log "clickhouse-server/clickhouse-client missing; installing with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -q >&2
  # The package's postinst would start the system-wide service (ports 8123/9000); a
  # policy-rc.d that answers 101 ("action forbidden") stops that, as in containers.
  created_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  install_status=0
  apt-get -o DPkg::Lock::Timeout=600 install -y -q clickhouse-server clickhouse-client >&2 || install_status=$?
  ((created_policy)) && rm -f /usr/sbin/policy-rc.d
  ((install_status == 0)) || { log "apt-get install failed ($install_status)"; exit 1; }
  find_server
  [[ -n "$server_bin" ]] || { log "clickhouse-server not found after install"; exit 1; }
fi
flock -u 9
exec 9>&-

dir="${1:-}"
if [[ -z "$dir" ]]; then
  dir="$(mktemp -d "${TMPDIR:-/tmp}/mua-diff-ch.XXXXXX")"
fi
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
mkdir -p "$dir/data" "$dir/tmp" "$dir/log" "$dir/user_files" "$dir/format_schemas"

if clickhouse-client --host 127.0.0.1 --port "$tcp_port" -q 'SELECT 1' >/dev/null 2>&1; then
  log "something already answers on 127.0.0.1:$tcp_port; stop it or set CH_TCP_PORT"
  exit 1
fi

cat >"$dir/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>information</level>
        <log>$dir/log/clickhouse-server.log</log>
        <errorlog>$dir/log/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>2</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$http_port</http_port>
    <tcp_port>$tcp_port</tcp_port>
    <max_connections>64</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>16</max_concurrent_queries>
    <uncompressed_cache_size>134217728</uncompressed_cache_size>
    <mark_cache_size>134217728</mark_cache_size>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <user_files_path>$dir/user_files/</user_files_path>
    <format_schema_path>$dir/format_schemas/</format_schema_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>
</yandex>
EOF

cat >"$dir/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>$max_memory</max_memory_usage>
            <max_memory_usage_for_all_queries>$((max_memory * 2))</max_memory_usage_for_all_queries>
            <max_threads>2</max_threads>
            <use_uncompressed_cache>0</use_uncompressed_cache>
            <load_balancing>random</load_balancing>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
EOF

cd "$dir"
"$server_bin" --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1 &
pid=$!
echo "$pid" >"$dir/clickhouse.pid"

deadline=$((SECONDS + timeout_s))
until clickhouse-client --host 127.0.0.1 --port "$tcp_port" -q 'SELECT 1' >/dev/null 2>&1; do
  if ! kill -0 "$pid" 2>/dev/null; then
    log "clickhouse-server (pid $pid) exited during startup; log tail:"
    tail -n 30 "$dir/log/stdout.log" "$dir/log/clickhouse-server.err.log" >&2 2>/dev/null || true
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    log "clickhouse-server (pid $pid) did not answer on 127.0.0.1:$tcp_port within ${timeout_s}s; log tail:"
    tail -n 30 "$dir/log/stdout.log" "$dir/log/clickhouse-server.err.log" >&2 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  sleep 0.5
done
log "clickhouse-server pid $pid ready on 127.0.0.1:$tcp_port (http $http_port), dir $dir"
echo "$dir $pid"
