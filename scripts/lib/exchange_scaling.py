#!/usr/bin/env python3
"""Scaling on paper for the collective exchange, from scripts/bench-exchange --table's lines.

Fits the network transport's round time, median_ms = L + l*N + S/BW (S: bytes a task sends per
round, 2(N-1)/N x 4n), by least squares over the (N, n) rows with no more tasks than this
machine has cores (more would measure the tasks queueing for cores, not the exchange; with one
task count left, l cannot be told from L and is 0), then predicts a sync round at E
executors of one core each, T(E) = k*b*c + L + l*E + 2(E-1)/E * 4P / BW' (BW' = min(BW, 10 GbE)
per executor's link), next to the driver exchange's T(E) = k*b*c + Ld + ld*E + 4P(1+E)/BWd with
the driver path's fitted costs, and prints speedup = E*k*b*c / T(E) as a markdown table.
Usage: exchange_scaling.py TABLE_TXT
"""
import os
import re
import sys

TEN_GBE = 1.25e9 / 1000  # bytes per ms
EXECUTORS = [4, 8, 16, 32, 64]
B = 100
# the driver path's fit and the workloads' compute per example, as BENCHMARKS.md's "Scaling on paper" has them
DRIVER = dict(L=9.7, l=1.65, BW=1.81e9 / 1000)
WORKLOADS = [("MLP 784-100-10", 79_510, 0.0063), ("CNN conv 5×5×20, dense 100", 289_630, 0.2162),
             ("MLP 784-12700-10 (10M)", 10_096_510, 0.9691)]


def rows(path):
    out = []
    for line in open(path):
        m = re.match(r"network: tasks (\d+) floats ([\d,]+) rounds \d+: median round ([\d.]+) ms.*sent ([\d,]+) B", line)
        if m:
            out.append((int(m[1]), int(m[2].replace(",", "")), float(m[3]), int(m[4].replace(",", ""))))
    return out


def solve(a, y):
    n = len(y)
    m = [a[i][:] + [y[i]] for i in range(n)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                m[r] = [m[r][k] - f * m[c][k] for k in range(n + 1)]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit(data):
    per_task = len({r[0] for r in data}) > 1
    m = 3 if per_task else 2
    ata = [[0.0] * m for _ in range(m)]
    aty = [0.0] * m
    for n_tasks, _, ms, sent in data:
        x = [1.0, n_tasks, float(sent)] if per_task else [1.0, float(sent)]
        for i in range(m):
            aty[i] += x[i] * ms
            for j in range(m):
                ata[i][j] += x[i] * x[j]
    beta = solve(ata, aty)
    return (beta[0], beta[1], 1 / beta[2]) if per_task else (beta[0], 0.0, 1 / beta[1])


def main():
    cores = os.cpu_count()
    data = [r for r in rows(sys.argv[1]) if r[0] <= cores]
    L, l, bw = fit(data)
    print(f"Collective fit over the {len(data)} rows of at most {cores} tasks: L = {L:.2f} ms, l = {l:.3f} ms "
          f"per task{'' if len({r[0] for r in data}) > 1 else ' (one task count: not identifiable)'}, "
          f"BW = {bw * 1000 / 1e9:.2f} GB/s per task\n")
    print("| model | parameters | c, ms/example | exchange | link | " + " | ".join(f"E = {e}" for e in EXECUTORS) + " |")
    print("|---|---:|---:|---|---|" + "---:|" * len(EXECUTORS))
    for name, p, c in WORKLOADS:
        compute = B * c
        for link in ("fitted BW", "10 GbE"):
            cells = []
            for e in EXECUTORS:
                w = bw if link == "fitted BW" else min(bw, TEN_GBE)
                t = compute + max(0.0, L) + l * e + 2 * (e - 1) / e * 4 * p / w
                cells.append(f"{e * compute / t:.1f}×")
            print(f"| {name} | {p:,} | {c} | collective | {link} | " + " | ".join(cells) + " |")
            cells = []
            for e in EXECUTORS:
                w = DRIVER["BW"] if link == "fitted BW" else min(DRIVER["BW"], TEN_GBE)
                t = compute + DRIVER["L"] + DRIVER["l"] * e + 4 * p * (1 + e) / w
                cells.append(f"{e * compute / t:.1f}×")
            print(f"| {name} | {p:,} | {c} | driver | {link} | " + " | ".join(cells) + " |")


main()
