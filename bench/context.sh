#!/usr/bin/env bash
# am-context on a large tree of real code nobody here wrote (the cargo registry sources: tens of
# thousands of files), against tokei on the same tree; with the tag cache cold and warm.
# Goal: cold at most 3x tokei's wall time, warm at most 1.5x.
#
#   bench/context.sh                 # BENCH_SOURCE (default ~/.cargo/registry/src), BENCH_WORK
#   BENCH_BINARY=/path/am-context bench/context.sh   # another build, e.g. an older one
#
# The machine may be shared: the load average is printed before and after, and user CPU is
# reported beside wall time.
set -euo pipefail
cd "$(dirname "$0")/.."

source_tree=${BENCH_SOURCE:-$HOME/.cargo/registry/src}
work=${BENCH_WORK:-${TMPDIR:-/tmp}/am-bench-context}
runs=${BENCH_RUNS:-5}

command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)"; exit 1; }
command -v tokei >/dev/null || cargo install tokei --locked
if [ -n "${BENCH_BINARY:-}" ]; then
  binary=$BENCH_BINARY
else
  cargo build --release --quiet --bin am-context
  binary=$PWD/target/release/am-context
fi

# am-context reads a clone: the tree becomes one commit of a repository, once.
repo=$work/run/repo
if [ ! -d "$repo/.git" ]; then
  rm -rf "$work"
  mkdir -p "$work/run"
  cp -r "$source_tree" "$repo"
  export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
  export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
  git -C "$repo" init -q
  git -C "$repo" add -A
  git -C "$repo" commit -q -m snapshot
fi
files=$(git -C "$repo" ls-files | wc -l)
echo "bench: $files files, $(du -sh --exclude=.git "$repo" | cut -f1) in $repo"

cat >"$work/input.json" <<JSON
{"run_id": "bench", "run_dir": "$work/run", "cache_dir": "$work/cache", "lint": false, "forge": "local"}
JSON
# The run's store: a SQLite file of the bench, not the user's.
export DATABASE_URL="sqlite://$work/am.db"
context="$binary --input $work/input.json"

echo "bench: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$work/tokei.json" "tokei $repo"
hyperfine --style basic --runs "$runs" --prepare "rm -rf $work/cache" --export-json "$work/cold.json" "$context"
hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$work/warm.json" "$context"

echo "bench: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
result = lambda name: json.load(open(f"{work}/{name}.json"))["results"][0]
tokei, cold, warm = result("tokei"), result("cold"), result("warm")
line = lambda r: f"{r['mean']:7.3f} s wall, {r['user']:6.2f} s user, {r['system']:5.2f} s system"
print(f"tokei            {line(tokei)}")
print(f"am-context cold  {line(cold)} ({cold['mean'] / tokei['mean']:4.2f}x tokei; goal <= 3x)")
print(f"am-context warm  {line(warm)} ({warm['mean'] / tokei['mean']:4.2f}x tokei; goal <= 1.5x)")
PY
