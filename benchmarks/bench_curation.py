"""Curation benchmark: vectorised dedup + decontamination vs a plain datasketch MinHash-LSH loop, and peak memory.

    python benchmarks/bench_curation.py            # 100k documents; peak memory on 1M short documents
    python benchmarks/bench_curation.py --quick    # 20k documents; memory on 100k

Both sides run on the same normalised synthetic pool (`reasonlab.curation.pool`), each in its own subprocess
(so peak RSS, from `resource.getrusage(RUSAGE_SELF).ru_maxrss`, is per side):

- ours: `ExactDedup` -> `NearDedup` (word 5-grams, Jaccard >= 0.7, vectorised MinHash-LSH + exact check)
  -> `Decontaminate` (15-gram overlap) on a `datasets.Dataset`;
- baseline: one Python loop per document: the same normalisation and 5-gram shingles, `datasketch.MinHash`
  (128 permutations) `update_batch`, `MinHashLSH(threshold=0.7).query` then `insert`; a document is a duplicate
  when the query returns any earlier document; then a Python-set 15-gram decontamination check.

Recall/precision are against the planted labels: a planted near/exact duplicate counts as found when the side
flags it; precision is the share of flagged rows that were planted duplicates; "originals lost" counts planted
originals flagged as duplicates (for ours, each is a verified Jaccard >= 0.7 match of an earlier, different
original of the same template: a real near-duplicate the labels do not know about; they are listed). The structural
check "first of each cluster kept" verifies that every dropped row names a kept, earlier row. Embedding decontamination (all-MiniLM-L6-v2, cosine > 0.9) is timed separately on a
subset: it is bound by the model, not by the MinHash machinery, and the baseline has no counterpart.
Prints a markdown table and writes benchmarks/results/curation.json.
"""
import argparse, json, os, platform, re, resource, subprocess, sys, tempfile, time, unicodedata
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
HERE = Path(__file__).resolve().parent
THRESHOLD, NGRAM, NUM_PERM, DECON_N = 0.7, 5, 128, 15


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# ------------------------------------------------------------------ data

def build_data(n_docs: int, folder: Path, seed: int = 0, terse: bool = False) -> dict:
    "A normalised pool of exactly n_docs rows saved to folder/data, its labels to folder/labels.json."
    from reasonlab.curation.pool import make_benchmark, make_pool
    from reasonlab.curation.stages import Normalise
    bench = make_benchmark(200, seed=10_000 + seed)
    kw = {"styles": ("terse",)} if terse else {}
    pool = make_pool(int(n_docs / 1.12) + 50, benchmark=bench, seed=seed, **kw)
    ds, _ = Normalise(pool.mappings)(pool.sources)
    if len(ds) < n_docs: raise SystemExit(f"pool too small: {len(ds)} < {n_docs}")
    ds = ds.select(range(n_docs)).flatten_indices()
    ds.save_to_disk(str(folder / "data"))
    flaws = {i: sorted(f) for i, f in pool.flaws().items()}
    keep = set(ds["id"])
    (folder / "labels.json").write_text(json.dumps({"flaws": {i: f for i, f in flaws.items() if i in keep},
                                                    "benchmark": pool.benchmark}))
    return {"docs": len(ds), "mean_words": float(sum(len(x.split()) for x in ds["question"][:5000] + ds["reasoning"][:5000]) / min(5000, len(ds)))}


def load(folder: Path):
    from datasets import load_from_disk
    lab = json.loads((folder / "labels.json").read_text())
    return load_from_disk(str(folder / "data")), lab["flaws"], lab["benchmark"]


def score(ids, dup_flags, contam_flags, flaws) -> dict:
    "Recall/precision of the flags against the planted labels."
    def has(i, *ks): return any(k in flaws[i] for k in ks)
    near = [d for i, d in zip(ids, dup_flags) if has(i, "near_dup")]
    exact = [d for i, d in zip(ids, dup_flags) if has(i, "exact_dup")]
    flagged = [i for i, d in zip(ids, dup_flags) if d]
    leaks = [c for i, c in zip(ids, contam_flags) if has(i, "contaminated")]
    cflag = [i for i, c in zip(ids, contam_flags) if c]
    return {
        "near_dup_recall": sum(near) / max(1, len(near)), "near_dups": len(near),
        "exact_dup_recall": sum(exact) / max(1, len(exact)), "exact_dups": len(exact),
        "dedup_precision": sum(has(i, "near_dup", "exact_dup") for i in flagged) / max(1, len(flagged)),
        "originals_lost": sum(has(i, "original") for i in flagged),
        "decontam_recall": sum(leaks) / max(1, len(leaks)), "leaks": len(leaks),
        "decontam_precision": sum(has(i, "contaminated") for i in cflag) / max(1, len(cflag)),
    }


# ------------------------------------------------------------------ the two sides

def run_ours(folder: Path) -> dict:
    from reasonlab.curation.dedup import Decontaminate, ExactDedup, NearDedup
    ds, flaws, bench = load(folder)
    ids = ds["id"]
    t0 = time.perf_counter()
    e, est = ExactDedup()(ds)
    t1 = time.perf_counter()
    n, nst = NearDedup(ngram=NGRAM, threshold=THRESHOLD, num_perm=NUM_PERM, progress=False)(e)
    t2 = time.perf_counter()
    _, dst = Decontaminate(bench, ngram=DECON_N)(ds)  # on all rows, as the baseline checks every document
    t3 = time.perf_counter()
    dup = {d["id"] for d in est.dropped + nst.dropped}
    con = {d["id"] for d in dst.dropped}
    pos = {i: k for k, i in enumerate(ids)}
    first_kept = all(d["detail"].split()[1] in kept and pos[d["detail"].split()[1]] < pos[d["id"]]
                     for st, kept in ((est, set(e["id"])), (nst, set(n["id"]))) for d in st.dropped)
    orig = [f"{d['id']} {d['detail']}" for d in est.dropped + nst.dropped if "original" in flaws[d["id"]]]
    return {"seconds": t3 - t0, "exact_s": t1 - t0, "near_s": t2 - t1, "decontam_s": t3 - t2, "docs": len(ds),
            "lsh": nst.info, "maxrss_mib": maxrss_mib(), "first_of_each_cluster_kept": first_kept,
            "originals_flagged_examples": orig[:10],
            **score(ids, [i in dup for i in ids], [i in con for i in ids], flaws)}


_PUNCT = re.compile(r"[^\w\s]+")


def words(text: str) -> list:
    return _PUNCT.sub(" ", unicodedata.normalize("NFKC", text).lower()).split()


def grams(ws: list, n: int) -> list:
    return [" ".join(ws[i:i + n]) for i in range(len(ws) - n + 1)] if len(ws) >= n else ([" ".join(ws)] if ws else [])


def run_baseline(folder: Path) -> dict:
    from datasketch import MinHash, MinHashLSH
    ds, flaws, bench = load(folder)
    ids, qs, rs = ds["id"], ds["question"], ds["reasoning"]
    t0 = time.perf_counter()
    lsh, dup = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM), []
    for i, (q, r) in enumerate(zip(qs, rs)):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([g.encode() for g in set(grams(words(f"{q}\n{r}"), NGRAM))])
        dup.append(bool(lsh.query(m)))
        lsh.insert(i, m)
    t1 = time.perf_counter()
    bw = [words(b) for b in bench]
    lens = sorted({min(len(w), DECON_N) for w in bw if w})
    table = {L: {g for w in bw if min(len(w), DECON_N) == L for g in grams(w, L)} for L in lens}
    con = []
    for q in qs:
        w = words(q)
        con.append(any(g in table[L] for L in lens if len(w) >= L for g in grams(w, L)))
    t2 = time.perf_counter()
    return {"seconds": t2 - t0, "near_s": t1 - t0, "decontam_s": t2 - t1, "docs": len(ds), "maxrss_mib": maxrss_mib(),
            **score(ids, dup, con, flaws)}


def run_embed(folder: Path, n: int) -> dict:
    from reasonlab.curation.dedup import Decontaminate
    from reasonlab.curation.embed import SentenceEmbedder
    ds, flaws, bench = load(folder)
    leak_rows = [k for k, i in enumerate(ds["id"]) if "contaminated" in flaws[i]]
    rows = sorted(set(range(min(n, len(ds)))) | set(leak_rows))
    sub = ds.select(rows)
    emb = SentenceEmbedder(progress=False)
    emb(["warm up"])  # model loading is not throughput
    t0 = time.perf_counter()
    _, st = Decontaminate(bench, ngram=DECON_N, embedder=emb)(sub)
    dt = time.perf_counter() - t0
    hit = {d["id"] for d in st.dropped}
    ids = sub["id"]
    leaks = [i for i in ids if "contaminated" in flaws[i]]
    return {"seconds": dt, "docs": len(sub), "docs_per_s": len(sub) / dt, "reasons": st.reasons,
            "decontam_recall": sum(i in hit for i in leaks) / max(1, len(leaks)), "leaks": len(leaks),
            "decontam_precision": sum("contaminated" in flaws[i] for i in hit) / max(1, len(hit)), "maxrss_mib": maxrss_mib()}


# ------------------------------------------------------------------ driver

def sub(args: list, timeout: int = 3600) -> dict:
    "Run this script as a worker in a fresh process; return its JSON result."
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f: out = f.name
    p = subprocess.run([sys.executable, __file__, *args, "--out", out], text=True, capture_output=True, timeout=timeout)
    if p.returncode != 0: raise SystemExit(f"worker {args} failed:\n{p.stderr[-3000:]}")
    return json.loads(Path(out).read_text())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="20k documents, memory on 100k")
    ap.add_argument("--docs", type=int, help="documents for the throughput comparison (default 100k; quick 20k)")
    ap.add_argument("--mem-docs", type=int, help="short documents for the peak-memory run (default 1M; quick 100k)")
    ap.add_argument("--embed-docs", type=int, help="documents for the embedding-decontamination timing (default 5k; quick 1k)")
    ap.add_argument("--baseline-mem", action="store_true", help="also run the datasketch loop on the memory corpus (slow)")
    ap.add_argument("--worker", choices=["build", "build_short", "ours", "baseline", "embed"], help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        folder = Path(a.folder)
        res = {"build": lambda: build_data(a.n, folder), "build_short": lambda: build_data(a.n, folder, seed=1, terse=True),
               "ours": lambda: run_ours(folder), "baseline": lambda: run_baseline(folder), "embed": lambda: run_embed(folder, a.n)}[a.worker]()
        Path(a.out).write_text(json.dumps(res)); return

    n_docs = a.docs or (20_000 if a.quick else 100_000)
    n_mem = a.mem_docs or (100_000 if a.quick else 1_000_000)
    n_emb = a.embed_docs or (1_000 if a.quick else 5_000)
    tmp = Path(tempfile.mkdtemp(prefix="bench_curation_"))
    main_dir, mem_dir = tmp / "main", tmp / "mem"
    print(f"building {n_docs:,} documents ...", flush=True)
    data = sub(["--worker", "build", "--folder", str(main_dir), "--n", str(n_docs)])
    print("ours ...", flush=True); ours = sub(["--worker", "ours", "--folder", str(main_dir)])
    print("baseline (datasketch loop) ...", flush=True); base = sub(["--worker", "baseline", "--folder", str(main_dir)])
    print(f"embedding decontamination on {n_emb:,} ...", flush=True); emb = sub(["--worker", "embed", "--folder", str(main_dir), "--n", str(n_emb)])
    print(f"building {n_mem:,} short documents ...", flush=True)
    mem_data = sub(["--worker", "build_short", "--folder", str(mem_dir), "--n", str(n_mem)])
    print("ours on the memory corpus ...", flush=True); mem = sub(["--worker", "ours", "--folder", str(mem_dir)])
    mem_base = None
    if a.baseline_mem:
        print("baseline on the memory corpus ...", flush=True); mem_base = sub(["--worker", "baseline", "--folder", str(mem_dir)])

    tput = lambda r: r["docs"] / r["seconds"]
    speedup = tput(ours) / tput(base)
    rows = [
        ("documents/s (dedup + 15-gram decontam)", f"{tput(ours):,.0f}", f"{tput(base):,.0f}"),
        ("wall seconds", f"{ours['seconds']:.1f} (exact {ours['exact_s']:.1f}, near {ours['near_s']:.1f}, decontam {ours['decontam_s']:.1f})",
         f"{base['seconds']:.1f} (dedup {base['near_s']:.1f}, decontam {base['decontam_s']:.1f})"),
        ("near-dup recall", f"{ours['near_dup_recall']:.4f} of {ours['near_dups']}", f"{base['near_dup_recall']:.4f} of {base['near_dups']}"),
        ("exact-dup recall", f"{ours['exact_dup_recall']:.4f} of {ours['exact_dups']}", f"{base['exact_dup_recall']:.4f} of {base['exact_dups']}"),
        ("dedup precision", f"{ours['dedup_precision']:.4f}", f"{base['dedup_precision']:.4f}"),
        ("originals lost (planted originals flagged)", str(ours["originals_lost"]), str(base["originals_lost"])),
        ("15-gram decontam recall / precision", f"{ours['decontam_recall']:.3f} / {ours['decontam_precision']:.3f} ({ours['leaks']} leaks)",
         f"{base['decontam_recall']:.3f} / {base['decontam_precision']:.3f}"),
        (f"peak RSS, {n_docs:,} docs", f"{ours['maxrss_mib']:,.0f} MiB", f"{base['maxrss_mib']:,.0f} MiB"),
        (f"peak RSS, {n_mem:,} short docs", f"{mem['maxrss_mib']:,.0f} MiB ({mem['seconds']:.0f} s)",
         f"{mem_base['maxrss_mib']:,.0f} MiB ({mem_base['seconds']:.0f} s)" if mem_base else "not run (--baseline-mem)"),
        (f"+ embedding decontam (cosine > 0.9), {emb['docs']:,} docs", f"{emb['docs_per_s']:,.0f} docs/s; leak recall {emb['decontam_recall']:.3f}, precision {emb['decontam_precision']:.3f}", "-"),
    ]
    print(f"\n{n_docs:,} documents (mean {data['mean_words']:.0f} words), {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"speed-up {speedup:.2f}x (target >= 2.5x); LSH {ours['lsh']}\n")
    print("| measure | ours (vectorised) | datasketch loop |\n|---|---|---|")
    for r in rows: print(f"| {r[0]} | {r[1]} | {r[2]} |")
    checks = {"speedup_ge_2.5": speedup >= 2.5, "recall_not_below_baseline": ours["near_dup_recall"] >= base["near_dup_recall"],
              "first_of_each_cluster_kept": ours["first_of_each_cluster_kept"] and mem["first_of_each_cluster_kept"],
              "mem_le_8GiB": mem["maxrss_mib"] <= 8 * 1024}
    print("\nchecks:", checks)
    if ours["originals_flagged_examples"]:
        print("planted originals our dedup dropped (each is a verified Jaccard >= 0.7 match of an earlier row):")
        for x in ours["originals_flagged_examples"]: print("  ", x)
    out = {"quick": a.quick, "docs": n_docs, "mem_docs": n_mem, "data": data, "mem_data": mem_data, "speedup": speedup,
           "ours": ours, "baseline": base, "embedding": emb, "memory_run": mem, "memory_baseline": mem_base, "checks": checks,
           "cpus": os.cpu_count(), "python": sys.version.split()[0]}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "curation.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
