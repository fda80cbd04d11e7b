#!/usr/bin/env bash
# Dashboard benchmark: wrk against `/` and `/api/data` with 100,000 seeded runs, on PostgreSQL
# and SQLite, beside the time of the same SQL run directly (pgbench -M prepared for PostgreSQL,
# Python's sqlite3 for SQLite). Prints one table.
#
#   bench/dashboard.sh                      # DURATION=15s CONNECTIONS=16 THREADS=2
#   BIN=target/debug/automaintainer bench/dashboard.sh
#
# Needs: wrk, pgbench, psql, sqlite3, python3, curl, a PostgreSQL server (AM_BENCH_POSTGRES_URL,
# default postgres://postgres@127.0.0.1:5432/postgres; a scratch database am_bench_dashboard is
# created on it and dropped afterwards), and a release build (made when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
DIRECT_SECS=${DIRECT_SECS:-10}
BIN=${BIN:-target/release/automaintainer}
PG_ADMIN=${AM_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=am_bench_dashboard
PG_URL="${PG_ADMIN%/*}/$PG_DB"
HERE=bench/dashboard

for tool in wrk pgbench psql sqlite3 python3 curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
[ -x "$BIN" ] || cargo build --release --bin automaintainer

work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wrk's requests/s and p99 (in ms) for one URL.
load() {
  local out rps p99
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$1")
  if echo "$out" | grep -q "Non-2xx"; then echo "bench: non-2xx answers from $1" >&2; echo "$out" >&2; exit 1; fi
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  echo "$rps $(to_ms "$p99")"
}

to_ms() {
  python3 - "$1" <<'PY'
import re, sys
value, unit = re.match(r"([\d.]+)(us|ms|s)", sys.argv[1]).groups()
print(f"{float(value) * {'us': 0.001, 'ms': 1, 's': 1000}[unit]:.2f}")
PY
}

# Mean and p99 (ms) of one request's SQL run directly on PostgreSQL, one client.
direct_postgres() {
  local log="$work/pgbench"
  rm -rf "$log"; mkdir -p "$log"
  (cd "$log" && pgbench -n -M prepared -c 1 -T "$DIRECT_SECS" -l -f "$OLDPWD/$1" "$PG_URL" >/dev/null)
  cat "$log"/pgbench_log.* | python3 -c '
import sys
t = sorted(int(line.split()[2]) / 1000 for line in sys.stdin)
print(f"{sum(t) / len(t):.2f} {t[min(len(t) - 1, int(len(t) * 0.99))]:.2f}")'
}

# Serves the dashboard on DATABASE_URL=$1, runs wrk on both routes; prints the rows.
serve_and_load() {
  local backend=$1 url=$2 direct=$3 port
  port=$(free_port)
  DATABASE_URL="$url" AM_DASHBOARD_TOKEN="" RUST_LOG=warn \
    "$BIN" dashboard --bind "127.0.0.1:$port" --refresh-secs 0 2>"$work/$backend.log" &
  server=$!
  for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  curl -fs "http://127.0.0.1:$port/api/data" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["stats"]["total_runs"] == 100000, d["stats"]'
  for route in overview api; do
    local path=/; [ "$route" = api ] && path=/api/data
    read -r rps p99 < <(load "http://127.0.0.1:$port$path")
    read -r sql_mean sql_p99 < <($direct "$HERE/${route}_$backend.sql")
    printf '| %-8s | %-9s | %8s | %8s | %8s | %8s |\n' "$backend" "$path" "$rps" "$p99" "$sql_mean" "$sql_p99"
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, 100,000 runs; direct SQL: one client, ${DIRECT_SECS}s" >&2
echo "| backend  | route     | req/s    | p99 ms   | SQL mean | SQL p99  |"
echo "|----------|-----------|----------|----------|----------|----------|"

# PostgreSQL
psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null
DATABASE_URL="$PG_URL" "$BIN" migrate 2>/dev/null
psql -q -v ON_ERROR_STOP=1 "$PG_URL" -f "$HERE/seed_postgres.sql" >/dev/null
serve_and_load postgres "$PG_URL" direct_postgres

# SQLite
db="$work/bench.db"
DATABASE_URL="sqlite://$db" "$BIN" migrate 2>/dev/null
sqlite3 -bail "$db" < "$HERE/seed_sqlite.sql"
direct_sqlite() { python3 "$HERE/sqlite_direct.py" "$db" "$1" 200; }
serve_and_load sqlite "sqlite://$db" direct_sqlite
