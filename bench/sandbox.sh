#!/usr/bin/env bash
# The sandbox's cost per check run (bench/sandbox.rs): `true` and `cargo test` on the
# examples/demo-repo crate through the runner, bubblewrap vs off, interleaved. ROUNDS=n sets the
# rounds of `true` (cargo test gets a third of them). Needs bubblewrap.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --bench sandbox --profile dev
