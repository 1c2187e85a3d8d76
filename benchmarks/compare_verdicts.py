"""Compare the verdicts of two output roots claim by claim (e.g. the same papers run under two kernels, or with other
parameters): prints a Markdown table and the count that agree; `--out` saves it as JSON.

    python benchmarks/compare_verdicts.py /tmp/s5-default/out /tmp/s5-avx2/out --out benchmarks/results/kernel_verdicts_issue10_5seeds.json
"""
import argparse, json
from pathlib import Path


def verdicts(root: Path) -> dict:
    out = {}
    for m in sorted(root.glob("*/metrics.json")):
        met = json.loads(m.read_text())
        out[met["paper"]] = {"machine": met.get("machine"), "wall_seconds": met.get("wall_seconds"), "seeds": met["params"].get("SEEDS"),
                             "claims": {c["id"]: {"verdict": c["verdict"], "ours": c["ours"]} for c in met["claims"]}}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a"); ap.add_argument("b"); ap.add_argument("--out", default="")
    args = ap.parse_args()
    A, B = verdicts(Path(args.a)), verdicts(Path(args.b))
    rows, same = [], 0
    for p in sorted(set(A) & set(B)):
        for cid, ca in A[p]["claims"].items():
            cb = B[p]["claims"].get(cid)
            if cb is None: continue
            ok = ca["verdict"] == cb["verdict"]; same += ok
            rows.append({"paper": p, "claim": cid, "a": ca, "b": cb, "same": ok})
    ka = {p: (v["machine"] or {}).get("cpu_capability") for p, v in A.items()}; kb = {p: (v["machine"] or {}).get("cpu_capability") for p, v in B.items()}
    print(f"{same} of {len(rows)} verdicts the same ({args.a}: {sorted(set(ka.values()))}, {args.b}: {sorted(set(kb.values()))})\n")
    print("| paper | claim | a | b |\n|---|---|---|---|")
    for r in rows:
        print(f"| {r['paper']} | {r['claim']} | {r['a']['verdict']}: {r['a']['ours']} | {r['b']['verdict']}: {r['b']['ours']}{'' if r['same'] else ' **differs**'} |")
    if args.out:
        Path(args.out).write_text(json.dumps({"a": args.a, "b": args.b, "same": same, "total": len(rows), "rows": rows,
                                              "papers": {"a": A, "b": B}}, indent=1, default=str))


if __name__ == "__main__":
    main()
