#!/usr/bin/env bash
# Setup against git by hand, interleaved (A, B, A, B, ...), cold and warm, with medians and
# min/max: am-setup's mirror fetch and clone, and the same external work done with git (a bare
# mirror fetching every branch and tag, then a clone of the base branch without hard links).
# With LIBGIT2=1, a third arm runs am-setup through libgit2 (AM_GIT=libgit2), the way before.
#
#   bench/setup.sh <repository URL or path> [rounds]
#
# Needs target/release/am-setup (or AM_SETUP=path) and git. Prints one line per arm.
set -euo pipefail
url="${1:?usage: bench/setup.sh <repository URL or path> [rounds]}"
rounds="${2:-5}"
am_setup="${AM_SETUP:-$(dirname "$0")/../target/release/am-setup}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export AM_DATA_DIR="$work/data"

now() { date +%s.%N; }
# am-setup with a fresh (cold) or kept (warm) cache; prints seconds.
ours() {
  local mode="$1" git_mode="${2:-}"
  [ "$mode" = cold ] && rm -rf "$work/cache"
  rm -rf "$work/run"
  printf '{"run_id":"bench","run_dir":"%s","repository":"%s","cache_dir":"%s"}' \
    "$work/run" "$url" "$work/cache" > "$work/in.json"
  local t0; t0=$(now)
  AM_GIT="$git_mode" "$am_setup" --input "$work/in.json" > /dev/null 2> "$work/err" \
    || { cat "$work/err" >&2; exit 1; }
  echo "$(now) - $t0" | bc
}
# The same with git by hand.
theirs() {
  local mode="$1"
  [ "$mode" = cold ] && rm -rf "$work/m.git"
  rm -rf "$work/c"
  local t0; t0=$(now)
  [ -d "$work/m.git" ] || git init -q --bare "$work/m.git"
  git -C "$work/m.git" fetch -q --prune --no-tags "$url" \
    '+refs/heads/*:refs/heads/*' '+refs/tags/*:refs/tags/*'
  git clone -q --no-hardlinks "$work/m.git" "$work/c"
  echo "$(now) - $t0" | bc
}
stats() { sort -n | awk '{a[NR]=$1} END {printf "median %.2f s (min %.2f, max %.2f, n=%d)", a[int((NR+1)/2)], a[1], a[NR], NR}'; }

for mode in cold warm; do
  : > "$work/ours" ; : > "$work/theirs" ; : > "$work/libgit2"
  [ "$mode" = warm ] && { ours cold > /dev/null; theirs cold > /dev/null; }
  for _ in $(seq "$rounds"); do
    ours "$mode" >> "$work/ours"
    theirs "$mode" >> "$work/theirs"
    if [ "${LIBGIT2:-0}" = 1 ]; then ours "$mode" libgit2 >> "$work/libgit2"; fi
  done
  o=$(stats < "$work/ours"); t=$(stats < "$work/theirs")
  ratio=$(paste "$work/ours" "$work/theirs" | awk '{print $1/$2}' | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}')
  echo "$mode: am-setup $o | git by hand $t | median ratio of pairs ${ratio}x"
  if [ "${LIBGIT2:-0}" = 1 ]; then echo "$mode: am-setup through libgit2 $(stats < "$work/libgit2")"; fi
done
