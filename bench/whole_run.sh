#!/usr/bin/env bash
# A whole `automaintainer run` (release build, offline provider, local forge, embedded SQLite)
# against a by-hand script doing the same external work: clone, `cargo clippy --fix`, `cargo fmt`,
# `cargo test`, commit, push to the bare remote. Both start from the same bare repository: a crate
# from ~/.cargo/registry/src with its Cargo.lock and one fixable clippy warning planted, so the
# offline provider has a real fix to make. There is no network: the crate's dev-dependencies and
# its tests/, benches/ and examples/ are dropped (they need crates the registry cache lacks); pick
# crates whose optional dependencies are all in the cache (semver and regex are).
#
# Interleaved rounds (A, B, A, B, ...; with two binaries A1, A2, B, A1, A2, B, ...), each on the
# same state, medians with min and max of the times and of each round's ratio run / by hand:
#   cold: a fresh data and cache directory for the run, a fresh target directory by hand;
#   warm: the run's cache directory kept (mirror and the repository's kept cargo target
#         directory), by hand a target directory kept between rounds (after the cold rounds,
#         else after one untimed round).
# The checks are `cargo test --lib` on both sides (the crate's .automaintainer.yml says so).
#
#   bash bench/whole_run.sh [path/to/automaintainer ...]   # several: before and after a change
#   PAIRS=5 COLD_PAIRS=3 CRATES="semver-1.0.28 regex-1.13.2" MODES="cold warm" \
#     bash bench/whole_run.sh
#
# The machine is shared: figures are noisy; compare ratios from one interleaved run only.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- target/release/automaintainer
bins=()
for b in "$@"; do
  bins+=("$(realpath "$b")")
  [ -x "$b" ] || { echo "bench: no binary at $b (cargo build --release)" >&2; exit 1; }
done
pairs=${PAIRS:-3}
crates=${CRATES:-"semver-1.0.28 regex-1.13.2"}
modes=${MODES:-"cold warm"}
registry=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/ | head -1)
work=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "bench: keeping $work" >&2 || trap 'rm -rf "$work"' EXIT
unset AM_LLM AM_FORGE AM_REVIEW DATABASE_URL GITHUB_TOKEN ANTHROPIC_API_KEY OPENAI_API_KEY CARGO_TARGET_DIR
export AM_LOG=warn CARGO_TERM_COLOR=never GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com \
  GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

# The bare repository of `crate` at $work/<crate>/pristine.git.
prepare() {
  local crate=$1 src="$work/$1/src"
  mkdir -p "$work/$crate"
  cp -r "$registry/$crate" "$src"
  rm -rf "$src/.cargo_vcs_info.json" "$src/Cargo.toml.orig" "$src/.cargo-ok" "$src/tests" \
    "$src/benches" "$src/examples"
  python3 - "$src/Cargo.toml" <<'PY'
import re, sys
lines, keep = [], True
for line in open(sys.argv[1]).read().split("\n"):
    if line.startswith("["):
        keep = not ("dev-dependencies" in line or re.match(r"\[\[(bench|test|example)\]\]", line))
    if keep:
        lines.append(line)
open(sys.argv[1], "w").write("\n".join(lines))
PY
  (cd "$src" && cargo generate-lockfile --offline -q)
  # One warning `cargo clippy --fix` fixes on its own.
  printf '\n#[allow(dead_code)]\nfn bench_planted() -> u32 {\n    return 1;\n}\n' >>"$src/src/lib.rs"
  # Doctests may need the dropped dev-dependencies: both sides check with the library's tests.
  printf 'checks:\n  - cargo test --lib\n' >"$src/.automaintainer.yml"
  (cd "$src" && git init -q -b main && git add -A && git commit -qm "import $crate")
  git clone -q --bare "$src" "$work/$crate/pristine.git"
}

now() { date +%s.%N; }

# Binary number $3's run on a fresh copy of the remote at a fixed path (the repository's
# identity), with a cache of its own.
am_run() {
  local crate=$1 mode=$2 n=$3 data="$work/$1/am-data" cache="$work/$1/am-cache-$3"
  rm -rf "$work/$crate/origin.git" "$data"
  cp -r "$work/$crate/pristine.git" "$work/$crate/origin.git"
  if [ "$mode" = cold ]; then rm -rf "$cache"; fi
  local start; start=$(now)
  AM_DATA_DIR="$data" AM_CACHE_DIR="$cache" XDG_CACHE_HOME="$work/$crate/xdg" \
    "${bins[$n]}" run --repository "$work/$crate/origin.git" >"$work/$crate/am.log" 2>&1 \
    || { echo "bench: the run failed on $crate:" >&2; tail -20 "$work/$crate/am.log" >&2; exit 1; }
  local end; end=$(now)
  # The same work as by hand: a pushed branch with the fix.
  [ -n "$(git -C "$work/$crate/origin.git" branch --list 'automaintainer/*')" ] \
    || { echo "bench: the run pushed no branch on $crate:" >&2; tail -20 "$work/$crate/am.log" >&2; exit 1; }
  echo "$end - $start" | bc
}

# The same external work by hand.
by_hand() {
  local crate=$1 mode=$2 dir="$work/$1/hand"
  rm -rf "$work/$crate/origin.git" "$dir"
  cp -r "$work/$crate/pristine.git" "$work/$crate/origin.git"
  if [ "$mode" = cold ]; then rm -rf "$work/$crate/hand-target"; fi
  local start; start=$(now)
  (
    export CARGO_TARGET_DIR="$work/$crate/hand-target" CARGO_NET_OFFLINE=true
    git clone -q "$work/$crate/origin.git" "$dir"
    cd "$dir"
    git checkout -qb by-hand
    cargo clippy -q --fix --allow-dirty --all-targets 2>/dev/null
    cargo fmt
    cargo test -q --lib >/dev/null 2>&1
    git commit -qam "fix clippy's warnings"
    git push -q origin by-hand
  ) || { echo "bench: the by-hand script failed on $crate" >&2; exit 1; }
  echo "$(now) - $start" | bc
}

stats() { # median min max of the arguments
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f s (min %.2f, max %.2f)", m, a[1], a[NR]}'
}

for n in "${!bins[@]}"; do echo "binary $n: ${bins[$n]} ($(du -h "${bins[$n]}" | cut -f1))"; done
echo "rounds: $pairs; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for crate in $crates; do
  prepare "$crate"
  warmed=
  for mode in $modes; do
    # A warm mode starts from the caches of the cold rounds before it, else of an untimed round.
    if [ "$mode" = warm ] && [ -z "$warmed" ]; then
      for n in "${!bins[@]}"; do am_run "$crate" cold "$n" >/dev/null; done
      by_hand "$crate" cold >/dev/null
    fi
    declare -A am=() ratios=(); hand=()
    rounds=$pairs
    if [ "$mode" = cold ]; then rounds=${COLD_PAIRS:-$pairs}; fi
    for _ in $(seq "$rounds"); do
      declare -A round=()
      for n in "${!bins[@]}"; do round[$n]=$(am_run "$crate" "$mode" "$n"); done
      h=$(by_hand "$crate" "$mode"); hand+=("$h")
      for n in "${!bins[@]}"; do
        am[$n]+=" ${round[$n]}"; ratios[$n]+=" $(echo "${round[$n]} / $h" | bc -l)"
      done
    done
    warmed=yes
    echo "$crate $mode: by hand $(stats "${hand[@]}")"
    for n in "${!bins[@]}"; do
      # shellcheck disable=SC2086
      echo "  binary $n: run $(stats ${am[$n]}); ratio $(stats ${ratios[$n]} | sed 's/ s / /')"
    done
  done
done
