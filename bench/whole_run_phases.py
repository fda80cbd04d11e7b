#!/usr/bin/env python3
"""Where a warm `automaintainer run` spends its time, phase by phase (bench/whole_run.md).

The crate and remote as bench/whole_run.sh prepares them (semver 1.0.28, one planted clippy
warning, `cargo test --lib` as the checks), a fresh data directory and a kept cache per binary.
Each run logs at AM_LOG=automaintainer=debug, every line timestamped as it arrives; a phase's
time runs from the line ending the phase before it to the line ending it, and "own" is the
run's wall time less the commands the runner logs (`ran command=… ms=…`). Interleaved rounds
(A, B, …, A, B, …) after one untimed run each; medians with min-max.

    ROUNDS=9 python3 bench/whole_run_phases.py before=/tmp/am-before after=target/release/automaintainer
"""
import os, re, statistics, subprocess, sys, tempfile, threading, time

CRATE = os.environ.get("CRATE", "semver-1.0.28")
PHASES = "setup context select implement open_pr review evaluate persist reflect cleanup".split()
HERE = os.path.dirname(os.path.abspath(__file__))


def prepare(work):
    """The bare remote at work/pristine.git, by whole_run.sh's own `prepare`."""
    script = open(os.path.join(HERE, "whole_run.sh")).read()
    body = script[script.index("prepare() {"):script.index("now() {")]
    subprocess.run(["bash", "-euc", f'registry=$(ls -d "${{CARGO_HOME:-$HOME/.cargo}}"/registry/src/*/ | head -1)\n'
                    f'work={work}\n{body}\nprepare {CRATE}'], check=True, env=ENV)
    return os.path.join(work, CRATE)


def run(binary, name, root):
    """One run; its phases' times, wall time and logged commands' time (ms)."""
    subprocess.run(["rm", "-rf", f"{root}/origin.git", f"{root}/am-data"], check=True)
    subprocess.run(["cp", "-r", f"{root}/pristine.git", f"{root}/origin.git"], check=True)
    env = dict(ENV, AM_LOG="automaintainer=debug", AM_DATA_DIR=f"{root}/am-data",
               AM_CACHE_DIR=f"{root}/am-cache-{name}", XDG_CACHE_HOME=f"{root}/xdg")
    start = time.time()
    proc = subprocess.Popen([binary, "run", "--repository", f"{root}/origin.git"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = [((time.time() - start) * 1000, line) for line in proc.stderr]
    if proc.wait() != 0:
        sys.exit(f"the run of {binary} failed:\n" + "".join(l for _, l in lines[-20:]))
    wall = (time.time() - start) * 1000
    phases, prev, commands = {}, 0.0, 0.0
    for ms, line in lines:
        if m := re.search(r"\[\d+/10\] (\w+): done", line):
            phases[m.group(1)] = ms - prev
            prev = ms
        if m := re.search(r"ran command=.* ms=(\d+)", line):
            commands += float(m.group(1))
    return phases, wall, commands


def stats(values):
    return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"


ENV = {k: v for k, v in os.environ.items() if k not in (
    "AM_LLM", "AM_FORGE", "AM_REVIEW", "DATABASE_URL", "GITHUB_TOKEN", "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY", "CARGO_TARGET_DIR")}
ENV.update(CARGO_TERM_COLOR="never", GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com",
           GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com")

if __name__ == "__main__":
    bins = [(a.split("=", 1)[0], os.path.abspath(a.split("=", 1)[1])) for a in sys.argv[1:]]
    if not bins:
        sys.exit(__doc__)
    rounds = int(os.environ.get("ROUNDS", "7"))
    with tempfile.TemporaryDirectory() as work:
        root = prepare(work)
        results = {n: {k: [] for k in PHASES + ["whole run", "own"]} for n, _ in bins}
        for name, binary in bins:
            run(binary, name, root)
        print(f"rounds: {rounds}; load {open('/proc/loadavg').read().split()[:3]}")
        for _ in range(rounds):
            for name, binary in bins:
                phases, wall, commands = run(binary, name, root)
                for phase in PHASES:
                    results[name][phase].append(phases.get(phase, 0.0))
                results[name]["whole run"].append(wall)
                results[name]["own"].append(wall - commands)
        print(f"{'ms':10}" + "".join(f"{n:>22}" for n, _ in bins))
        for key in PHASES + ["whole run", "own"]:
            print(f"{key:10}" + "".join(f"{stats(results[n][key]):>22}" for n, _ in bins))
