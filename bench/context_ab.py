"""Two or more am-context builds on one repository, interleaved run by run (A cold, A warm,
B cold, B warm, ... each round), so a change in the machine's load hits every build alike:
median wall and CPU (user + system) per build. Uses the clone, input and store that
`bench/context.sh` prepared under BENCH_WORK (default /tmp/am-bench-context).

    python3 bench/context_ab.py tokio-rs+tokio 5 /tmp/am-context-base /tmp/am-context-new
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

repo, rounds, *binaries = sys.argv[1:]
base = os.path.join(os.environ.get("BENCH_WORK", "/tmp/am-bench-context"), repo)
env = dict(os.environ, DATABASE_URL=f"sqlite://{base}/am.db")
context = ["--input", os.path.join(base, "input.json")]


def timed(argv):
    """Wall seconds and CPU seconds (user + system) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


series = {(b, side): [] for b in binaries for side in ("cold", "warm")}
for _ in range(int(rounds)):
    for binary in binaries:
        shutil.rmtree(os.path.join(base, "cache"), ignore_errors=True)
        series[(binary, "cold")].append(timed([binary, *context]))
        series[(binary, "warm")].append(timed([binary, *context]))
for (binary, side), samples in series.items():
    wall = statistics.median(w for w, _ in samples)
    cpu = statistics.median(c for _, c in samples)
    print(f"{repo} {os.path.basename(binary):20} {side}: wall {wall:.3f} s  cpu {cpu:.3f} s")
