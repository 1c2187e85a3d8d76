"""Same code, same seeds, another CPU kernel: do the verdicts hold?

Runs the whole tiny reproduction with ATEN_CPU_CAPABILITY=avx2 (what an AVX2-only machine would run) from an
empty policy cache, so every warm start is trained under that kernel too, and compares every claim's verdict with
the default-kernel run in outputs/ (`make reproduce`; or `--default-too` to run that here as well, also from an
empty cache). Writes benchmarks/results/kernel_verdicts.json and prints the comparison as a Markdown table.

    make reproduce && python benchmarks/kernel_verdicts.py   # ≈ 2 × make reproduce
    python benchmarks/kernel_verdicts.py --compare-only      # compare outputs/ with an earlier avx2 run
    python benchmarks/kernel_verdicts.py --papers cooper --baseline committed   # against papers/<slug>/results.json
"""
import argparse, json, os, shutil, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KERNELS = {"default": None, "avx2": "avx2"}


def run(kernel: str, papers: list[str], out: Path) -> float:
    env = {**os.environ, "REASONLAB_CACHE": str(out/"cache")}
    env.pop("ATEN_CPU_CAPABILITY", None)
    if KERNELS[kernel]: env["ATEN_CPU_CAPABILITY"] = KERNELS[kernel]
    shutil.rmtree(out, ignore_errors=True); out.mkdir(parents=True)
    cmd = [sys.executable, "-m", "reasonlab.reproduce", "--scale", "tiny", "--output-root", str(out/"outputs"), "--no-readme"]
    if papers: cmd += ["--papers", *papers]
    t0 = time.time()
    subprocess.run(cmd, cwd=ROOT, env=env, check=False)
    return time.time() - t0


def verdicts(out: Path, files: str = "outputs/*/metrics.json") -> dict:
    res = {}
    for m in sorted(out.glob(files)):
        met = json.loads(m.read_text())
        res[met["paper"]] = {"machine": met.get("machine"), "seconds": met.get("notebook_seconds"),
                             "claims": {c["id"]: {"verdict": c["verdict"], "ours": c["ours"], "check": c.get("check", False)}
                                        for c in met["claims"]}}
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", nargs="*", default=[])
    ap.add_argument("--work", default=str(Path(os.environ.get("TMPDIR", "/tmp"))/"reasonlab-kernels"))
    ap.add_argument("--default-too", action="store_true", help="also rerun the default kernel from an empty cache")
    ap.add_argument("--compare-only", action="store_true")
    ap.add_argument("--baseline", choices=["outputs", "committed"], default="outputs",
                    help="the default-kernel verdicts: outputs/ of `make reproduce`, or the committed papers/<slug>/results.json")
    ap.add_argument("--out", default=str(ROOT/"benchmarks"/"results"/"kernel_verdicts.json"), help="where the comparison is written")
    a = ap.parse_args()
    work, seconds = Path(a.work), {}
    if not a.compare_only:
        for k in (KERNELS if a.default_too else ["avx2"]): seconds[k] = run(k, a.papers, work/k)
    baseline = verdicts(ROOT, "papers/*/results.json") if a.baseline == "committed" else verdicts(work/"default" if a.default_too else ROOT)
    got = {"default": baseline, "avx2": verdicts(work/"avx2")}
    rows, same, total = [], 0, 0
    for paper in sorted(set(a.papers) if a.papers else set(got["default"]) | set(got["avx2"])):  # --papers: only those
        claims = got["default"].get(paper, {}).get("claims", {})
        for cid in claims:
            d, x = claims[cid], got["avx2"].get(paper, {}).get("claims", {}).get(cid, {})
            agree = d["verdict"] == x.get("verdict")
            same += agree; total += 1
            rows.append({"paper": paper, "claim": cid, "check": d["check"], "default": d["verdict"], "avx2": x.get("verdict"),
                         "same": agree, "default_ours": d["ours"], "avx2_ours": x.get("ours")})
    caps = {k: next((p["machine"]["cpu_capability"] for p in got[k].values() if p.get("machine")), None) for k in KERNELS}
    result = {"kernels": caps, "same": same, "total": total, "seconds": seconds, "rows": rows,
              "paper_seconds": {k: {p: v["seconds"] for p, v in got[k].items()} for k in KERNELS},
              "cpu": next((p["machine"]["cpu"] for p in got["default"].values() if p.get("machine")), None)}
    dest = Path(a.out)
    dest.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{same} of {total} verdicts the same under kernels {caps['default']} and {caps['avx2']} ({result['cpu']})\n")
    print("| paper | claim | default | avx2 |\n|---|---|---|---|")
    for r in rows:
        flag = "" if r["same"] else " **differs**"
        print(f"| {r['paper']} | {r['claim']}{' (check)' if r['check'] else ''} | {r['default']}: {r['default_ours']} | {r['avx2']}: {r['avx2_ours']}{flag} |")


if __name__ == "__main__":
    main()
