#!/usr/bin/env bash
# Installs, with apt and only when missing, the system programs the stack runs:
# Redis (Debian's redis-server), a Java runtime >= 17 and Maven (Kafka 3.9, S3Proxy 4.x),
# Node.js and npm (dynalite). Safe to run again: it installs nothing that is already there.
set -euo pipefail

java_major() {
  # "openjdk version "17.0.15" ..." or "... "1.8.0_392" ..." -> 17 / 8
  java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == 1 ? v[2] : v[1]); exit}'
}

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
need=()
command -v redis-server >/dev/null || need+=(redis-server)
if ! command -v java >/dev/null || [ "$(java_major)" -lt 17 ]; then
  need+=(default-jre-headless)
fi
command -v mvn >/dev/null || need+=(maven)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)

if ((${#need[@]})); then
  echo "installing system packages: ${need[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  if ! command -v java >/dev/null || [ "$(java_major)" -lt 17 ]; then
    echo "Java >= 17 is needed (S3Proxy 4.x); found: $(java -version 2>&1 | head -1)" >&2
    exit 1
  fi
fi
# Debian's package enables a system-wide redis-server on 6379; the stack runs its own.
if [[ " ${need[*]-} " == *" redis-server "* ]] && command -v systemctl >/dev/null \
    && systemctl is-active --quiet redis-server 2>/dev/null; then
  "${sudo_cmd[@]}" systemctl disable --now redis-server >/dev/null 2>&1 || true
fi
