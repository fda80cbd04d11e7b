#!/usr/bin/env bash
# Times `automaintainer run` end to end on the bundled example repository (all ten phases,
# in-process, embedded SQLite, offline provider, local forge) with hyperfine, first run on a fresh
# data directory and then repeated runs that update the same PR.
#
#   bash bench/local-run.sh [path/to/automaintainer]   # default: target/release, else target/debug
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
if [ -z "$bin" ]; then
  if [ -x target/release/automaintainer ]; then bin=target/release/automaintainer; else bin=target/debug/automaintainer; fi
fi
command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
export AM_DATA_DIR="$data/data" XDG_CACHE_HOME="$data/cache" AM_LOG=warn
unset AM_LLM AM_FORGE AM_REVIEW DATABASE_URL GITHUB_TOKEN ANTHROPIC_API_KEY OPENAI_API_KEY
hyperfine --runs 1 --prepare "rm -rf '$data/data' '$data/cache'" \
  --command-name "first run (fresh data directory)" "$bin run"
hyperfine --warmup 1 --runs 5 \
  --command-name "repeated run (PR updated, learnings reinforced)" "$bin run"
