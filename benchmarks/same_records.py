"""Did a code change move the tiny numbers? One (variant, seed) run per paper with the current code, compared item by
item with the records of the last `make reproduce` in outputs/ (which must exist). Prints one JSON line per paper.

    python benchmarks/same_records.py [shuffle-r1 structvrm infialign]     # ≈ 3.5 min on 2 cores
"""
import importlib, json, shutil, sys, tempfile, time
from pathlib import Path
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CASES = [("shuffle-r1", "reasonlab.papers.shuffle_r1", "run_variant", "pts_abs", 0),
         ("structvrm", "reasonlab.papers.structvrm", "run_variant", "partial", 0),
         ("infialign", "reasonlab.papers.infialign", "run_arm", "curated", 0)]


def main(only: list[str]):
    from reasonlab.experiment import paper_params
    for slug, mod, fn, variant, seed in CASES:
        if only and slug not in only: continue
        old_path = ROOT/"outputs"/slug/"runs"/f"{variant}-{seed}"/"records.csv"
        if not old_path.exists(): print(json.dumps({"paper": slug, "error": f"no {old_path}: run make reproduce first"})); continue
        out = Path(tempfile.mkdtemp())
        if slug == "infialign":  # its arms read the curated data the notebook prepared
            for d in ("data", "curation"): shutil.copytree(ROOT/"outputs"/slug/d, out/d)
        t0 = time.time()
        new = pd.DataFrame(getattr(importlib.import_module(mod), fn)(variant, seed, paper_params(slug, "tiny"), str(out))["records"])
        old = pd.read_csv(old_path)
        cols = [c for c in new.columns if c in old.columns and c not in ("arm", "seed")]
        key = [c for c in ("step", "item") if c in cols]
        a = new[cols].sort_values(key).reset_index(drop=True); b = old[cols].sort_values(key).reset_index(drop=True)
        a = a.astype(b.dtypes.to_dict(), errors="ignore")
        print(json.dumps({"paper": slug, "run": f"{variant}-{seed}", "records": len(a), "identical": bool(a.equals(b)),
                          "seconds": round(time.time() - t0)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
