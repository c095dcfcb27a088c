# Sourced by .ci/run (and `pnpm test:redis`): starts a throwaway Redis server for the store-redis
# suites and stops it on exit. redis-server (installed with apt-get when missing) on 127.0.0.1
# and a free port, without persistence (no RDB snapshots, no append-only file), daemonized with
# its files in a temp folder. Exports REDIS_URL and PAYOUT_KERNEL_REQUIRE_REDIS=1 (a missing
# server then fails the suites instead of leaving them out). Its exit trap runs after any trap
# already set (PostgreSQL's), so sourcing both stops both.
start_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      echo "   redis-server not found: installing it with apt-get"
      DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null
    fi
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "   FAIL: no redis-server on this machine" >&2
    return 1
  fi
  REDIS_TMP=$(mktemp -d /tmp/payout-kernel-redis.XXXXXX)
  local port
  port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$REDIS_TMP" --pidfile "$REDIS_TMP/redis.pid" --logfile "$REDIS_TMP/redis.log" \
    || { cat "$REDIS_TMP/redis.log" >&2 2>/dev/null; return 1; }
  REDIS_PORT=$port
  local i
  for i in $(seq 1 100); do
    [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break
    sleep 0.1
  done
  if [ "$(redis-cli -p "$port" ping 2>/dev/null)" != PONG ]; then
    cat "$REDIS_TMP/redis.log" >&2
    return 1
  fi
  # Compose with a trap already set (PostgreSQL's): run it, then stop Redis.
  local previous
  previous=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
  if [ -n "$previous" ]; then
    # shellcheck disable=SC2064
    trap "$previous; stop_redis" EXIT
  else
    trap stop_redis EXIT
  fi
  export REDIS_URL="redis://127.0.0.1:$port"
  export PAYOUT_KERNEL_REQUIRE_REDIS=1
  echo "   Redis $(redis-server --version | sed -E 's/.*v=([0-9.]+).*/\1/') on 127.0.0.1:$port, no persistence (files in $REDIS_TMP)"
}

stop_redis() {
  if [ -n "${REDIS_TMP:-}" ] && [ -d "$REDIS_TMP" ]; then
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    # Still answering (shutdown refused)? Then end the process this script started, by its id.
    if [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && [ -f "$REDIS_TMP/redis.pid" ]; then
      kill "$(cat "$REDIS_TMP/redis.pid")" 2>/dev/null || true
    fi
    rm -rf "$REDIS_TMP"
    echo "   Redis stopped"
  fi
}
