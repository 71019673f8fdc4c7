#!/usr/bin/env bash
# Makes sure the benchmark's extra system dependency is present: redis-server (the Celery broker
# and result backend in bench/celery_redis.py). Quiet and a no-op when it is already installed.
# Installs with apt-get when run as root on Debian/Ubuntu; otherwise says what to do and fails.
# If the Debian package auto-starts a system redis on 6379, that one is never used: the benchmark
# starts its own redis-server on a free port.
set -euo pipefail

say() { printf '[provision-bench] %s\n' "$*" >&2; }

provision_redis() {
  command -v redis-server >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "missing 'redis-server': install it (e.g. 'sudo apt-get install -y redis-server') and re-run"
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    say "missing 'redis-server' and no apt-get here: install Redis 7 by other means and re-run"
    exit 1
  fi
  say "installing redis-server with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q redis-server >/dev/null; then
    say "install failed; refreshing the package lists and retrying"
    apt-get update -q >/dev/null
    apt-get install -y -q redis-server >/dev/null
  fi
  command -v redis-server >/dev/null 2>&1 || { say "redis-server still not on PATH after install"; exit 1; }
  say "installed $(redis-server --version)"
}

provision_redis
