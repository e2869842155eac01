#!/usr/bin/env bash
# Installs, with apt and only when missing, the system programs the stack runs:
# Redis (Debian's redis-server), a Java runtime and Maven (Kafka, S3Proxy), Node.js and npm.
set -euo pipefail
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v java >/dev/null || need+=(default-jre-headless)
command -v mvn >/dev/null || need+=(maven)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
[ -x /usr/bin/chromium ] || need+=(chromium)  # headless browser for tests/e2e/test_browser.py
if ((${#need[@]})); then
  echo "installing system packages: ${need[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need[@]}"
fi
