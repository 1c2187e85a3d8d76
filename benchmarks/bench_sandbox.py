"""Sandboxed code runs: ours (each isolation layer) vs a plain unsandboxed subprocess (baseline), side by side.

Run: python benchmarks/bench_sandbox.py  -> markdown table on stdout, benchmarks/results/sandbox.json
The workload is N small programs with three assert tests each (half correct). The baseline runs code and
tests with `python -c` and no isolation at all; it is the floor that process start-up sets. `run_batch` runs the
same programs in one sandbox process (each in a forked child, every layer), and the last rows time `CodeTestReward`
(which batches) on a GRPO-sized batch with 1 and 2 worker threads.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from reasonlab.rewards.sandbox import CodeTestReward, Limits, run_code, run_batch

N = 40
PROGRAMS = [(f"def f(x):\n    return x * {k} + {i % 2}", [f"assert f({j}) == {j * k}" for j in range(3)])
            for i, k in enumerate(range(N))]


def baseline(code: str, tests: list[str]) -> bool:
    r = subprocess.run([sys.executable, "-c", code + "\n" + "\n".join(tests)], capture_output=True, timeout=10)
    return r.returncode == 0


def timed(fn) -> tuple[float, int]:
    t0 = time.perf_counter()
    passed = sum(bool(fn(code, tests)) for code, tests in PROGRAMS)
    return N / (time.perf_counter() - t0), passed


def main():
    rows = {"baseline: plain subprocess, no isolation": timed(baseline)}
    for name, limits in (("ours: all layers", Limits()), ("ours: no namespaces", Limits(namespaces=False)),
                         ("ours: no namespaces, no audit hook", Limits(namespaces=False, audit_hook=False))):
        rows[name] = timed(lambda c, t, l=limits: run_code(c, t, l).passed)
        rows[name + " (isolation)"] = run_code(*PROGRAMS[0], limits).isolation
    t0 = time.perf_counter(); res = run_batch(PROGRAMS, Limits())
    rows["ours: run_batch, all layers"] = (N / (time.perf_counter() - t0), sum(r.passed for r in res))
    rows["ours: run_batch, all layers (isolation)"] = res[0].isolation
    batch = [f"```python\n{c}\n```" for c, _ in PROGRAMS] * 2
    tests = [t for _, t in PROGRAMS] * 2
    for workers in (1, 2):
        t0 = time.perf_counter()
        scores = CodeTestReward(workers=workers)(["p"] * len(batch), batch, tests=tests)
        rows[f"ours: CodeTestReward batch of {len(batch)}, {workers} worker(s)"] = (len(batch) / (time.perf_counter() - t0), int(sum(scores)))
    print(f"{N} programs x 3 tests on {os.cpu_count()} CPU(s), running as uid {os.geteuid()}\n")
    print("| runner | runs/s | passed | isolation |\n|---|---|---|---|")
    for name, v in rows.items():
        if name.endswith("(isolation)"): continue
        print(f"| {name} | {v[0]:.1f} | {v[1]} | {rows.get(name + ' (isolation)', '-' if 'baseline' in name else 'as above')} |")
    out = Path(__file__).parent / "results" / "sandbox.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"n_programs": N, "cpus": os.cpu_count(), "uid": os.geteuid(),
                               "results": {k: ({"runs_per_s": v[0], "passed": v[1]} if isinstance(v, tuple) else v) for k, v in rows.items()}}, indent=1))


if __name__ == "__main__":
    main()
