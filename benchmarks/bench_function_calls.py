"""Function-call checking: BFCL-style AST check (ours) vs exact string match (baseline), side by side.

Run: python benchmarks/bench_function_calls.py  -> markdown table on stdout, benchmarks/results/function_calls.json
Each row of the synthetic test split yields answers that are correct in other surface forms (call order,
int for float, letter case, JSON objects, an optional parameter given its default) and answers that are wrong
(changed value, missing required parameter, wrong function). A checker should accept the first and reject the
second; the table reports both rates and checks per second.
"""
import json
import os
import random
import re
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
from reasonlab.function_call_tasks import make_function_call_tasks
from reasonlab.rewards.function_calls import calls_correct, parse_calls

N_ROWS, SEED = 1000, 0


def variants(row: dict, rng: random.Random) -> list[tuple[str, bool]]:
    "(answer text, is it correct) pairs derived from one row's canonical answer."
    calls = parse_calls(row["answer"])
    gold = json.loads(row["gold_calls"])
    def render(cs): return "[" + ", ".join(f"{c.name}(" + ", ".join(f"{k}={json.dumps(v)}" for k, v in c.arguments.items()) + ")" for c in cs) + "]"
    out = [(row["answer"], True)]
    if len(calls) > 1: out.append((render(calls[::-1]), True))
    ints = [type(c)(c.name, {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in c.arguments.items()}) for c in calls]
    if render(ints) != row["answer"]: out.append((render(ints), True))
    upper = [type(c)(c.name, {k: v.upper() if isinstance(v, str) else v for k, v in c.arguments.items()}) for c in calls]
    out.append((render(upper), True))
    out.append((json.dumps([{"name": c.name, "arguments": c.arguments} for c in calls]), True))
    defaults = [type(c)(c.name, {**c.arguments, **{k: v[1] for k, v in g["arguments"].items() if k not in c.arguments and len(v) > 1 and v[0] == ""}})
                for c, g in zip(calls, gold)]
    if render(defaults) != row["answer"]: out.append((render(defaults), True))
    c0 = calls[0]
    k = rng.choice(sorted(c0.arguments))
    v = c0.arguments[k]
    changed = v + 1 if isinstance(v, (int, float)) else v + "x"
    out.append((render([type(c0)(c0.name, {**c0.arguments, k: changed})] + calls[1:]), False))
    out.append((render([type(c0)(c0.name, {kk: vv for kk, vv in c0.arguments.items() if kk != k})] + calls[1:]), False))
    out.append((render([type(c0)(c0.name + "_v2", c0.arguments)] + calls[1:]), False))
    return out


def exact_match(text: str, row: dict) -> bool:
    return re.sub(r"\s+", "", text) == re.sub(r"\s+", "", row["answer"])


def main():
    rows = list(make_function_call_tasks(N_ROWS, "test", seed=SEED))
    rng = random.Random(SEED)
    cases = [(text, ok, row) for row in rows for text, ok in variants(row, rng)]
    results = {}
    for name, check in (("ours (AST, BFCL semantics)", lambda t, r: calls_correct(t, r["gold_calls"], r["functions"])),
                        ("baseline (exact string match)", exact_match)):
        t0 = time.perf_counter()
        verdicts = [check(text, row) for text, _, row in cases]
        dt = time.perf_counter() - t0
        pos = [v for v, (_, ok, _) in zip(verdicts, cases) if ok]
        neg = [v for v, (_, ok, _) in zip(verdicts, cases) if not ok]
        results[name] = {"checks_per_s": len(cases) / dt, "accepts_correct": sum(pos) / len(pos),
                         "rejects_wrong": 1 - sum(neg) / len(neg), "n_correct": len(pos), "n_wrong": len(neg)}
    print(f"{len(cases)} answers from {N_ROWS} test rows (seed {SEED})\n")
    print("| checker | checks/s | accepts correct variants | rejects wrong variants |\n|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['checks_per_s']:,.0f} | {r['accepts_correct']:.1%} | {r['rejects_wrong']:.1%} |")
    out = Path(__file__).parent / "results" / "function_calls.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"n_rows": N_ROWS, "seed": SEED, "n_cases": len(cases), "results": results}, indent=1))


if __name__ == "__main__":
    main()
