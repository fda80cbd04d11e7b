#!/usr/bin/env bash
# Times am-review's local review (linters off, then clippy on) and am-open-pr on the local forge
# in dry-run mode, on a generated fixture crate whose work branch adds 40 functions.
# Usage: bench/forge_review.sh [target/debug|target/release]   (needs git and hyperfine)
set -euo pipefail
bin_dir="${1:-target/release}"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
repo="$root/run/repo"
mkdir -p "$repo/src"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
git -C "$repo" init -q -b main
printf '[package]\nname = "bench"\nversion = "0.1.0"\nedition = "2021"\n' > "$repo/Cargo.toml"
echo '//! bench' > "$repo/src/lib.rs"
git -C "$repo" add -A && git -C "$repo" commit -qm base
base="$(git -C "$repo" rev-parse HEAD)"
git -C "$repo" clone -q --bare "$repo" "$root/remote.git"
git -C "$repo" remote add origin "$root/remote.git"
git -C "$repo" checkout -qb automaintainer/bench
for i in $(seq 1 40); do
  printf 'pub fn f%d(x: u32) -> u32 {\n    // TODO: tune\n    if x > %d { return x - 1; }\n    x + %d\n}\n' "$i" "$i" "$i" >> "$repo/src/lib.rs"
done
git -C "$repo" commit -qam change
head="$(git -C "$repo" rev-parse HEAD)"
cat > "$root/run/implementation.json" <<JSON
{"status":"committed","branch":"automaintainer/bench","base_branch":"main","commit":"$head","base_commit":"$base",
 "files":[{"path":"src/lib.rs","added":200,"removed":0}],"lines_added":200,"lines_removed":0,"checks":[],"attempts":1}
JSON
cat > "$root/run/pr.json" <<JSON
{"action":"created","forge":"local","repository":"$root/remote.git","number":1,"branch":"automaintainer/bench",
 "base_branch":"main","head_commit":"$head","title":"bench","body":"","draft":false,"labels":[]}
JSON
echo "{\"run_id\":\"bench\",\"run_dir\":\"$root/run\",\"linters\":false}" > "$root/review.json.in"
echo "{\"run_id\":\"bench\",\"run_dir\":\"$root/run\",\"linters\":true}" > "$root/review-clippy.json.in"
echo "{\"run_id\":\"bench\",\"run_dir\":\"$root/run\",\"repository\":\"$root/remote.git\",\"forge\":\"local\",\"dry_run\":true}" > "$root/open.json.in"
# Warm clippy's build cache so the timing is the review, not the first compile.
"$bin_dir/am-review" --input "$root/review-clippy.json.in" > /dev/null
hyperfine --warmup 2 --runs 20 \
  -n "am-review local (no linters)" "$bin_dir/am-review --input $root/review.json.in" \
  -n "am-review local (clippy, warm)" "$bin_dir/am-review --input $root/review-clippy.json.in" \
  -n "am-open-pr local dry run" "$bin_dir/am-open-pr --input $root/open.json.in"
