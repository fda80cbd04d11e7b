#!/usr/bin/env bash
# Times am-select with the offline provider: what a run pays per selection without a model
# (process start, reading a context.json with 500 findings, asking rustup whether clippy is
# installed, choosing, writing task.json).
# Usage: bench/agent_select.sh [target/debug|target/release]
set -euo pipefail
bin_dir="${1:-target/debug}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/repo"
git -C "$work/repo" init -q -b main
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
findings = [{"kind": "lint", "path": f"src/m{i % 50}.rs", "line": i, "message": "clippy::len_zero",
             "tool": "clippy", "fixable": i % 3 == 0} for i in range(400)]
findings += [{"kind": "format", "path": f"src/m{i}.rs", "message": "not formatted", "tool": "rustfmt",
              "fixable": True} for i in range(100)]
context = {"repository": "bench", "head_commit": "0", "summary": {"languages": [], "build_systems": [],
           "test_layout": [], "total_files": 0, "total_code_lines": 0, "total_bytes": 0},
           "repo_map": {"text": "", "tokens": 0, "budget": 0, "ranked_files": []},
           "findings": findings, "issues": [], "history": {"recent_commits": [], "hot_files": []},
           "learnings": [], "check_commands": []}
json.dump(context, open(f"{work}/context.json", "w"))
json.dump({"run_id": "bench", "run_dir": work, "llm": "offline"}, open(f"{work}/input.json", "w"))
PY
hyperfine --warmup 3 --runs 30 -N "$bin_dir/am-select --input $work/input.json"
