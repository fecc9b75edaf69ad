#!/usr/bin/env bash
# Installs exactly the Debian 12 packages MUA builds and tests with. Idempotent:
# when every package is already installed it changes nothing and needs no network.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config make      # toolchain
  clang libclang-rt-14-dev                   # libFuzzer targets
  libboost-dev                               # Boost.Asio + Boost.Beast (header-only)
  libroaring-dev liblz4-dev libzstd-dev      # bitmaps, compression
  librdkafka-dev kcat                        # Kafka client, mock broker, CLI client for tests
  curl python3                               # HTTP client and helpers for tests and the demo
  python3-yaml python3-jsonschema            # the Grafana openapi contract check
  python3-scipy                              # tests: experiment statistics checked against SciPy
  prometheus prometheus-alertmanager         # tests: alerting from /metrics and MUA's alerts (own ports)
  rapidjson-dev libabsl-dev libedit-dev      # JSON, Abseil, shell line editing
  libsimdjson-dev                            # bench: the event decoder comparison (issue 17)
  libxxhash-dev                              # checksums of persisted files
  libre2-dev                                 # linear-time regular expressions (match, extract)
  libyaml-cpp-dev                            # alert rules files (--alerts)
  libssl-dev openssl                         # TLS for the HTTPS listener (Boost.Beast over OpenSSL); test certificates
  libgtest-dev libgmock-dev libbenchmark-dev # tests and benchmarks
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq

# Debian's prometheus and prometheus-alertmanager are services that their postinst starts and
# enables; the tests run their own on free ports, so none may be left running system-wide. While
# installing, a policy-rc.d (unless the machine has one, as Docker images do) refuses every start
# (invoke-rc.d and deb-systemd-invoke both ask it); afterwards the units are disabled at boot.
services=()
for package in prometheus prometheus-alertmanager; do
  [[ " ${missing[*]} " == *" $package "* ]] && services+=("$package")
done
policy=/usr/sbin/policy-rc.d
if [ ${#services[@]} -gt 0 ] && [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# scripts/install-deps.sh: no service starts while it installs\nexit 101\n' |
    $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  trap '$SUDO rm -f "$policy"' EXIT
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
for service in "${services[@]}"; do
  if [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now "$service" >/dev/null 2>&1 || true
  else  # update-rc.d also removes the systemd unit's links when systemctl is installed
    $SUDO update-rc.d "$service" disable >/dev/null 2>&1 || true
  fi
done
