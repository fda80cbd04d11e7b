#!/usr/bin/env bash
# am-context against tokei on real repositories with their history, in interleaved pairs: each
# round runs tokei, am-context with a cold tag cache, tokei, am-context with a warm one, so a
# change in the machine's load hits both sides of a pair alike. Medians, min and max per side,
# and the ratio of the medians. Goals (issue 19): warm <= 2x tokei, cold <= 5x.
#
#   bench/context.sh                          # the repositories below, 11 rounds each
#   BENCH_REPOS="/path/a /path/b" bench/context.sh   # git repositories (mirrors or clones)
#   BENCH_FLAT=~/.cargo/registry/src bench/context.sh  # also a flat tree committed as one commit
#   BENCH_BINARY=/path/am-context bench/context.sh     # another build, e.g. an older one
#   BENCH_LINT=true bench/context.sh          # with the repositories' linters (clippy builds!)
#   python3 bench/context_ab.py tokio-rs+tokio 5 A B   # builds A and B interleaved, run by run
#
# Each repository is cloned with its whole history (`git clone --no-local`, as am-setup's clone
# from its mirror has it) into BENCH_WORK. The machine may be shared: the load average is
# printed before and after, and user+system CPU is reported beside wall time.
set -euo pipefail
cd "$(dirname "$0")/.."

default_repos=""
for name in dtolnay+semver tokio-rs+tokio rust-lang+cargo; do
  [ -d "/work/.mirror/$name/repo" ] && default_repos="$default_repos /work/.mirror/$name/repo"
done
repos=${BENCH_REPOS:-$default_repos}
work=${BENCH_WORK:-${TMPDIR:-/tmp}/am-bench-context}
rounds=${BENCH_ROUNDS:-11}
lint=${BENCH_LINT:-false}

command -v tokei >/dev/null || cargo install tokei --locked
if [ -n "${BENCH_BINARY:-}" ]; then
  binary=$BENCH_BINARY
else
  cargo build --release --quiet --bin am-context
  binary=$PWD/target/release/am-context
fi
mkdir -p "$work"

# name -> run directory with the clone in repo/
targets=()
for source in $repos; do
  name=$(basename "$(dirname "$source")")
  [ "$(basename "$source")" = repo ] || name=$(basename "$source")
  run="$work/$name/run"
  if [ ! -d "$run/repo/.git" ]; then
    rm -rf "$work/$name"
    mkdir -p "$run"
    git clone -q --no-local "$source" "$run/repo"
  fi
  targets+=("$name")
done
if [ -n "${BENCH_FLAT:-}" ]; then
  run="$work/flat/run"
  if [ ! -d "$run/repo/.git" ]; then
    rm -rf "$work/flat"
    mkdir -p "$run"
    cp -r "$BENCH_FLAT" "$run/repo"
    export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
    export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
    git -C "$run/repo" init -q
    git -C "$run/repo" add -A
    git -C "$run/repo" commit -q -m snapshot
  fi
  targets+=(flat)
fi

echo "bench: $binary, $rounds rounds, lint $lint"
echo "bench: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$binary" "$work" "$rounds" "$lint" "${targets[@]}" <<'PY'
import json, os, resource, shutil, statistics, subprocess, sys, time

binary, work, rounds, lint, *targets = sys.argv[1:]
rounds = int(rounds)


def timed(argv, env=None):
    """Wall seconds and CPU seconds (user + system) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def summary(samples):
    walls = sorted(w for w, _ in samples)
    cpus = sorted(c for _, c in samples)
    return statistics.median(walls), walls[0], walls[-1], statistics.median(cpus)


for name in targets:
    base = os.path.join(work, name)
    run_dir = os.path.join(base, "run")
    repo = os.path.join(run_dir, "repo")
    cache = os.path.join(base, "cache")
    commits = subprocess.run(["git", "-C", repo, "rev-list", "--count", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
    files = subprocess.run(["git", "-C", repo, "ls-files"], capture_output=True, text=True).stdout.count("\n")
    input_path = os.path.join(base, "input.json")
    with open(input_path, "w") as f:
        json.dump({"run_id": "bench", "run_dir": run_dir, "cache_dir": cache,
                   "lint": lint == "true", "forge": "local"}, f)
    env = dict(os.environ, DATABASE_URL=f"sqlite://{base}/am.db")
    context = [binary, "--input", input_path]
    tokei = ["tokei", repo]
    # One unmeasured round: the page cache holds the tree for both tools.
    timed(tokei)
    timed(context, env)
    series = {"tokei": [], "cold": [], "warm": []}
    for _ in range(rounds):
        series["tokei"].append(timed(tokei))
        shutil.rmtree(cache, ignore_errors=True)
        series["cold"].append(timed(context, env))
        series["tokei"].append(timed(tokei))
        series["warm"].append(timed(context, env))
    tokei_median = summary(series["tokei"])[0]
    print(f"\n{name}: {files} files, {commits} commits")
    goals = {"tokei": "", "cold": " (goal <= 5x)", "warm": " (goal <= 2x)"}
    for side in ("tokei", "cold", "warm"):
        median, low, high, cpu = summary(series[side])
        ratio = median / tokei_median
        print(f"  {side:5}  median {median:7.3f} s  (min {low:.3f}, max {high:.3f})  "
              f"cpu {cpu:6.3f} s  {ratio:5.2f}x tokei{goals[side]}")
PY
echo
echo "bench: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
