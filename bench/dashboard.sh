#!/usr/bin/env bash
# Dashboard benchmark: every page and both views of /api/data under load (wrk), beside the time
# of the same SQL run directly (pgbench -M prepared on PostgreSQL, Python's sqlite3 on SQLite;
# the statements come from bench/dashboard/queries.py), on histories of growing size and on a
# fleet of 1,000 repositories x 365 days, on both backends. Prints one table per history and
# backend, and writes each request's query plans (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE
# on PostgreSQL) to bench/out/explain-<runs>-<backend>.txt.
#
#   bench/dashboard.sh                                  # every history, both backends
#   HISTORIES="1000000:20:600" BACKENDS=sqlite bench/dashboard.sh
#
# HISTORIES: `runs:repositories:seconds-between-runs` ... (default: 10k, 100k and 1M runs over
# 20 repositories, one run every 10 minutes; and 365,000 runs over 1,000 repositories, one run
# per repository per day for a year). wrk: DURATION (5s), CONNECTIONS (1), THREADS (1); direct
# SQL: DIRECT_SECS (pgbench, 5), ROUNDS (SQLite, 200). BIN: the automaintainer binary (a release
# build, made when missing).
#
# Needs: wrk, pgbench, psql, sqlite3, python3, curl, a PostgreSQL server (AM_BENCH_POSTGRES_URL,
# default postgres://postgres@127.0.0.1:5432/postgres; a scratch database am_bench_dashboard is
# created on it and dropped afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."

HISTORIES=${HISTORIES:-"10000:20:600 100000:20:600 1000000:20:600 365000:1000:86.4"}
BACKENDS=${BACKENDS:-"postgres sqlite"}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-1}
THREADS=${THREADS:-1}
DIRECT_SECS=${DIRECT_SECS:-5}
ROUNDS=${ROUNDS:-200}
BIN=${BIN:-target/release/automaintainer}
PG_ADMIN=${AM_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=am_bench_dashboard
PG_URL="${PG_ADMIN%/*}/$PG_DB"
HERE=bench/dashboard
OUT=bench/out

for tool in wrk pgbench psql sqlite3 python3 curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
[ -x "$BIN" ] || cargo build --release --bin automaintainer
mkdir -p "$OUT"

work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

to_ms() {
  python3 - "$1" <<'PY'
import re, sys
value, unit = re.match(r"([\d.]+)(us|ms|s)", sys.argv[1]).groups()
print(f"{float(value) * {'us': 0.001, 'ms': 1, 's': 1000}[unit]:.2f}")
PY
}

# wrk's requests/s, median and p99 (ms) for one URL.
load() {
  local out rps p50 p99
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$1")
  if echo "$out" | grep -q "Non-2xx"; then echo "bench: non-2xx answers from $1" >&2; echo "$out" >&2; exit 1; fi
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}

# Mean, median and p99 (ms) of one request's SQL run directly on PostgreSQL, one client.
direct_postgres() {
  local log="$work/pgbench"
  rm -rf "$log"; mkdir -p "$log"
  (cd "$log" && pgbench -n -M prepared -c 1 -T "$DIRECT_SECS" -l -f "$1" "$PG_URL" >/dev/null)
  cat "$log"/pgbench_log.* | python3 -c '
import sys
# pgbench 15 logs some transactions with a time of 0; those are left out.
t = sorted(int(line.split()[2]) / 1000 for line in sys.stdin if int(line.split()[2]) > 0)
print(f"{sum(t) / len(t):.2f} {t[len(t) // 2]:.2f} {t[min(len(t) - 1, int(len(t) * 0.99))]:.2f}")'
}

direct_sqlite() { python3 "$HERE/sqlite_direct.py" "$db" "$1" "$ROUNDS"; }

# One value from the store: psql or sqlite3.
scalar() {
  if [ "$backend" = postgres ]; then psql -Atq "$PG_URL" -c "$1"; else sqlite3 "$db" "$1"; fi
}

explain() {
  local file=$1 plans=$2 statement
  python3 - "$file" <<'PY' | while IFS= read -r statement; do
import sys
for s in open(sys.argv[1]).read().split(";\n"):
    if s.strip():
        print(" ".join(s.split()))
PY
    echo "-- $statement" | cut -c1-300 >>"$plans"
    if [ "$backend" = postgres ]; then
      psql -Atq "$PG_URL" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) $statement" >>"$plans"
    else
      sqlite3 "$db" "EXPLAIN QUERY PLAN $statement" >>"$plans"
    fi
    echo >>"$plans"
  done
}

seed() {
  local runs=$1 repos=$2 step=$3
  if [ "$backend" = postgres ]; then
    PGOPTIONS="-c client_min_messages=warning" psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
    psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null
    DATABASE_URL="$PG_URL" "$BIN" migrate 2>/dev/null
    psql -q -v ON_ERROR_STOP=1 -v runs="$runs" -v repos="$repos" -v step="$step" "$PG_URL" \
      -f "$HERE/seed_postgres.sql" >/dev/null
    url=$PG_URL
  else
    db="$work/bench-$runs.db"
    rm -f "$db"*
    DATABASE_URL="sqlite://$db" "$BIN" migrate 2>/dev/null
    sqlite3 -bail -cmd ".parameter set :runs $runs" -cmd ".parameter set :repos $repos" \
      -cmd ".parameter set :step $step" "$db" <"$HERE/seed_sqlite.sql" >/dev/null
    url="sqlite://$db"
  fi
}

# The values the benchmarked requests bind, from the seeded store.
bindings() {
  local runs=$1 deep cursor_at names
  deep=$(printf 'bench-%07d' $((runs * 9 / 10)))
  if [ "$backend" = postgres ]; then
    cursor_at=$(scalar "SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM agent_runs WHERE run_id = '$deep'")
  else
    cursor_at=$(scalar "SELECT started_at FROM agent_runs WHERE run_id = '$deep'")
  fi
  names=$(scalar "SELECT repository FROM run_counts GROUP BY repository HAVING sum(runs) > 0 ORDER BY repository LIMIT 50" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().split()))')
  python3 - "$cursor_at" "$deep" "$names" <<'PY'
import datetime, json, sys
now = datetime.datetime.now(datetime.timezone.utc)
fmt = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
since = now - datetime.timedelta(days=90)
next_day = (since + datetime.timedelta(days=1)).date()
print(json.dumps({
    "since": fmt(since),
    # The analytics window's partial first day ends at the next midnight; whole days from it on
    # come from the daily rollups.
    "raw_until": next_day.isoformat() + "T00:00:00.000000Z",
    "rolled_from": next_day.isoformat(),
    "cutoff": fmt(now - datetime.timedelta(seconds=1800)),
    "repo": "github.com/acme/repo-0001",
    "names": json.loads(sys.argv[3]),
    "cursor_at": sys.argv[1],
    "cursor_id": sys.argv[2],
}))
PY
  echo "$cursor_at~$deep" >"$work/cursor"
}

run_history() {
  local runs=$1 repos=$2 step=$3 port params cursor
  seed "$runs" "$repos" "$step"
  params=$(bindings "$runs")
  python3 "$HERE/queries.py" "$work" "$backend" "$params"
  cursor=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$(cat "$work/cursor")")
  port=$(free_port)
  DATABASE_URL="$url" AM_DASHBOARD_TOKEN="" RUST_LOG=warn \
    "$BIN" dashboard --bind "127.0.0.1:$port" --refresh-secs 0 2>"$work/$backend.log" &
  server=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  curl -fs "http://127.0.0.1:$port/api/data" | python3 -c "import json,sys; d=json.load(sys.stdin); assert d['stats']['total_runs'] == $runs, d['stats']"

  local plans="$OUT/explain-$runs-$backend.txt"
  : >"$plans"
  echo
  echo "$backend, $runs runs over $repos repositories (one every ${step}s); wrk -t$THREADS -c$CONNECTIONS -d$DURATION; direct SQL one client"
  echo "| request | req/s | p50 ms | p99 ms | SQL p50 ms | SQL p99 ms | p50 / SQL p50 |"
  echo "|---|---|---|---|---|---|---|"
  local pages="overview:/ timeline:/timeline timeline_deep:/timeline?page=$((runs * 9 / 250))&after=$cursor analytics:/analytics repositories:/repositories repository:/repositories/github.com%2Facme%2Frepo-0001 api:/api/data repositories:/api/data?view=repositories run:/runs/bench-0000011"
  for entry in $pages; do
    local name=${entry%%:*} path=${entry#*:} rps p50 p99 sql_mean sql_p50 sql_p99 ratio
    read -r rps p50 p99 < <(load "http://127.0.0.1:$port$path")
    if [ -f "$work/${name}_$backend.sql" ]; then
      echo "## $path" >>"$plans"
      explain "$work/${name}_$backend.sql" "$plans"
      read -r sql_mean sql_p50 sql_p99 < <("direct_$backend" "$work/${name}_$backend.sql")
      ratio=$(python3 -c "print(f'{$p50 / max($sql_p50, 0.01):.1f}x')")
    else
      sql_p50="–"; sql_p99="–"; ratio="–"
    fi
    printf '| `%s` | %s | %s | %s | %s | %s | %s |\n' "${path%%&after=*}" "$rps" "$p50" "$p99" "$sql_p50" "$sql_p99" "$ratio"
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

for history in $HISTORIES; do
  IFS=: read -r runs repos step <<<"$history"
  for backend in $BACKENDS; do
    run_history "$runs" "$repos" "$step"
  done
done
