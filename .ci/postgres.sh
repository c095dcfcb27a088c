# Sourced by .ci/run: starts a throwaway PostgreSQL server for the store suites and stops it on
# exit. initdb into a temp folder, pg_ctl on 127.0.0.1 and a free port, trust auth (loopback only).
# Exports PAYOUT_KERNEL_PG_URL (the server), PAYOUT_KERNEL_PG_BIN (where initdb and pg_ctl are:
# the fault-injection suite starts and kills a private server of its own) and PAYOUT_KERNEL_PG_DATA.
pg_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$found" ] && [ -x "$found/$name" ] && echo "$found/$name"
}

start_postgres() {
  local initdb pg_ctl
  initdb=$(pg_bin initdb) || true
  pg_ctl=$(pg_bin pg_ctl) || true
  if [ -z "$initdb" ] || [ -z "$pg_ctl" ]; then
    if command -v apt-get >/dev/null 2>&1; then
      echo "   postgresql not found: installing it with apt-get"
      DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
      initdb=$(pg_bin initdb); pg_ctl=$(pg_bin pg_ctl)
    fi
  fi
  if [ -z "$initdb" ] || [ -z "$pg_ctl" ]; then
    echo "   FAIL: no PostgreSQL server binaries (initdb, pg_ctl) on this machine" >&2
    return 1
  fi
  PG_TMP=$(mktemp -d /tmp/payout-kernel-pg.XXXXXX)
  local as=()
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root: the cluster belongs to the postgres user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$PG_TMP"
    as=(runuser -u postgres --)
  fi
  local port
  port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  "${as[@]}" "$initdb" -D "$PG_TMP/data" -U postgres --auth=trust --no-sync -E UTF8 >"$PG_TMP/initdb.log" 2>&1 \
    || { cat "$PG_TMP/initdb.log" >&2; return 1; }
  "${as[@]}" "$pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TMP -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$PG_TMP/server.log" >&2; return 1; }
  trap stop_postgres EXIT
  export PAYOUT_KERNEL_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  export PAYOUT_KERNEL_PG_DATA="$PG_TMP/data"
  export PAYOUT_KERNEL_PG_BIN
  PAYOUT_KERNEL_PG_BIN=$(dirname "$pg_ctl")
  echo "   PostgreSQL $("$(dirname "$pg_ctl")/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $PG_TMP)"
}

stop_postgres() {
  if [ -n "${PG_TMP:-}" ] && [ -d "$PG_TMP/data" ]; then
    local pg_ctl as=()
    pg_ctl=$(pg_bin pg_ctl)
    [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
    "${as[@]}" "$pg_ctl" -D "$PG_TMP/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
    echo "   PostgreSQL stopped"
  fi
}
