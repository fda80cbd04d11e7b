"""Times the SQL a dashboard request runs, directly on the SQLite file: the statements of one
file, run in order, `rounds` times; prints the mean, median and p99 per round in milliseconds."""
import sqlite3
import sys
import time

db, sql_file, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
statements = [s.strip() for s in open(sql_file).read().split(";\n") if s.strip()]
conn = sqlite3.connect(db)
for statement in statements:  # warm the page cache once
    conn.execute(statement).fetchall()
times = []
for _ in range(rounds):
    start = time.perf_counter()
    for statement in statements:
        conn.execute(statement).fetchall()
    times.append((time.perf_counter() - start) * 1000)
times.sort()
mean = sum(times) / len(times)
p50 = times[len(times) // 2]
p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
print(f"{mean:.2f} {p50:.2f} {p99:.2f}")
