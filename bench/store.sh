#!/usr/bin/env bash
# Runs the store benchmark (bench/store.rs): 100,000 seeded runs on PostgreSQL and SQLite, the
# dashboard's queries timed. The time is spent in the databases, so the dev profile (already
# built) measures the same as a release build; pass `--release` to build one anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=(--profile dev)
if [ "${1:-}" = "--release" ]; then profile=(--release); fi
exec cargo bench --bench store "${profile[@]}"
