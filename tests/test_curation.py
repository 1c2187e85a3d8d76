"Curation stages on small real datasets and files: planted-label recall, resumability, bad input."
import json, os, subprocess, sys, textwrap
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasets import Dataset

from reasonlab.curation.dedup import (Decontaminate, ExactDedup, NearDedup, column_text, lsh_params, minhash_reference,
                                      minhash_signatures, near_duplicates, shingle_hashes, word_hashes, word_lists)
from reasonlab.curation.diversity import Cluster, ScoreDifficulty, TagDomains, VerifyAnswers
from reasonlab.curation.embed import CachedEmbedder, SentenceEmbedder
from reasonlab.curation.pool import make_benchmark, make_pool
from reasonlab.curation.select import balanced_quota, selection_pipeline, select_budget
from reasonlab.curation.stages import (CurationInputError, Normalise, Pipeline, Stage, finish_stage, read_jsonl,
                                       read_parquet, read_source)

BENCH = make_benchmark(30, seed=5)


@pytest.fixture(scope="module")
def pool():
    return make_pool(800, benchmark=BENCH, seed=3)


@pytest.fixture(scope="module")
def normalised(pool):
    ds, st = Normalise(pool.mappings)(pool.sources)
    return ds, st


@pytest.fixture(scope="module")
def embedder(tmp_path_factory):
    return CachedEmbedder(SentenceEmbedder(progress=False), tmp_path_factory.mktemp("emb"))


def _flaws(pool):
    return pool.flaws()


# ---------------------------------------------------------------- files and bad input

def _write_sources(pool, folder: Path) -> dict:
    "Write openmath_a as JSONL, the others as Parquet; return name -> path."
    paths = {}
    for name, ds in pool.sources.items():
        if name == "openmath_a":
            p = folder / f"{name}.jsonl"
            with open(p, "w") as f:
                for row in ds: f.write(json.dumps(row) + "\n")
        else:
            p = folder / f"{name}.parquet"
            pq.write_table(ds.data.table, p)
        paths[name] = p
    return paths


def test_normalise_sources_read_from_files(pool, tmp_path):
    paths = _write_sources(pool, tmp_path)
    sources = {}
    for name, p in paths.items():
        m = pool.mappings[name]
        ds, rep = read_source(p, required=[m["id"]], text=[m["question"], m["reasoning"]])
        assert rep.n_bad == 0 and rep.n_rows == len(pool.sources[name])
        sources[name] = ds
    out, st = Normalise(pool.mappings)(sources)
    flaws = pool.flaws()
    dropped = {d["id"]: d["reason"] for d in st.dropped}
    assert {i for i, f in flaws.items() if f & {"bad_row", "non_english"}} == set(dropped)
    assert all(r == "wrong_language" for i, r in dropped.items() if "non_english" in flaws[i])
    assert set(out.column_names) == {"id", "question", "reasoning", "answer", "source", "domain"}
    assert set(out["source"]) == set(pool.sources)


def test_jsonl_errors_name_file_line_and_field(tmp_path):
    p = tmp_path / "mixed.jsonl"
    p.write_bytes(b'{"question": "ok", "reasoning": "#### 1"}\n'
                  b'{"question": "cut off", "reas\n'
                  b'{"question": ["a", "list"], "reasoning": "#### 2"}\n'
                  b'{"reasoning": "#### 3"}\n'
                  b'{"question": "bad \xff byte", "reasoning": "#### 4"}\n')
    with pytest.raises(CurationInputError, match=r"mixed\.jsonl:2: invalid JSON"):
        read_jsonl(p, required=["question", "reasoning"], text=["question"])
    ds, rep = read_jsonl(p, required=["question", "reasoning"], text=["question"], on_error="skip")
    assert len(ds) == 1 and rep.n_bad == 4
    joined = "\n".join(rep.errors)
    assert "mixed.jsonl:3: field 'question' is list, not text" in joined
    assert "mixed.jsonl:4: missing field 'question'" in joined
    assert "mixed.jsonl:5: not valid UTF-8 (byte 0xff" in joined


def test_parquet_errors_name_file_row_and_column(tmp_path):
    p = tmp_path / "t.parquet"
    pq.write_table(pa.table({"question": ["a", None, "c"], "reasoning": ["#### 1", "#### 2", "#### 3"], "n": [1, 2, 3]}), p)
    with pytest.raises(CurationInputError, match=r"t\.parquet: row 1: field 'question' is null"):
        read_parquet(p, required=["question"])
    ds, rep = read_parquet(p, required=["question"], on_error="skip")
    assert ds["question"] == ["a", "c"] and rep.n_bad == 1
    with pytest.raises(CurationInputError, match=r"t\.parquet: missing column 'answer'"):
        read_parquet(p, required=["answer"])
    with pytest.raises(CurationInputError, match=r"column 'n' has type int64, not text"):
        read_parquet(p, text=["n"])
    ds, rep = read_parquet(p, text=["n"], on_error="skip")  # a file-level problem skips the file, counted
    assert len(ds) == 0 and rep.n_bad == 3
    with pytest.raises(ValueError, match="on_error"):
        read_parquet(p, on_error="ignore")


def test_normalise_mapping_errors_name_source_and_field(pool):
    with pytest.raises(CurationInputError, match=r"source 'forum_b': mapped field 'question' -> 'nope'"):
        Normalise({"forum_b": {"question": "nope", "reasoning": "cot"}})({"forum_b": pool.sources["forum_b"]})


# ---------------------------------------------------------------- dedup and decontamination

def test_minhash_matches_slow_reference():
    texts = ["one two three four five six", "two three four five six seven", "x", ""]
    wh, off = word_hashes(word_lists(texts))
    h, d = shingle_hashes(wh, off, 3)
    sig = minhash_signatures(h, d, len(texts), num_perm=32, seed=7, num_threads=2)
    for i in range(len(texts)):
        assert (sig[i] == minhash_reference(h[d == i].tolist(), 32, seed=7)).all()


def test_planted_duplicates_found_and_no_original_lost(pool, normalised):
    ds, _ = normalised
    flaws = pool.flaws()
    e, est = ExactDedup()(ds)
    n, nst = NearDedup(progress=False)(e)
    dropped = {d["id"] for d in est.dropped + nst.dropped}
    dups = [i for i in ds["id"] if flaws[i] & {"exact_dup", "near_dup"}]
    exact = [i for i in ds["id"] if "exact_dup" in flaws[i]]
    assert all(i in dropped for i in exact)
    assert sum(i in dropped for i in dups) >= 0.93 * len(dups)
    assert all(flaws[i] & {"exact_dup", "near_dup"} for i in dropped)  # precision 1 on this pool
    originals = [i for i in ds["id"] if "original" in flaws[i]]
    assert not any(i in dropped for i in originals)
    for d in nst.dropped:  # every drop names the kept row it duplicates
        assert d["detail"].startswith("of ") and d["detail"].split()[1] in set(n["id"])


def test_near_dedup_recall_not_below_datasketch(pool, normalised):
    from datasketch import MinHash, MinHashLSH
    ds, _ = normalised
    flaws = pool.flaws()
    texts = column_text(ds, ["question", "reasoning"]).to_pylist()
    ours = near_duplicates(texts, ngram=5, threshold=0.7).duplicate
    lsh, theirs = MinHashLSH(threshold=0.7, num_perm=128), []
    for i, ws in enumerate(word_lists(texts).to_pylist()):
        ws = ws or []
        m = MinHash(num_perm=128)
        m.update_batch([" ".join(ws[j:j + 5]).encode() for j in range(max(1, len(ws) - 4))])
        theirs.append(bool(lsh.query(m))); lsh.insert(i, m)
    dup = np.array([bool(flaws[i] & {"exact_dup", "near_dup"}) for i in ds["id"]])
    assert (ours & dup).sum() >= (np.array(theirs) & dup).sum()


def test_decontamination_catches_planted_leaks(pool, normalised, embedder):
    ds, _ = normalised
    flaws = pool.flaws()
    variant = dict(zip(pool.labels["id"], pool.labels["variant"]))
    leaks = [i for i in ds["id"] if "contaminated" in flaws[i]]
    assert len(leaks) == len(BENCH)
    _, st = Decontaminate(pool.benchmark)(ds)
    hit = {d["id"] for d in st.dropped}
    assert all(i in hit for i in leaks if variant[i] in ("verbatim", "wrapped"))
    assert hit <= set(leaks)
    _, st2 = Decontaminate(pool.benchmark, embedder=embedder)(ds)
    hit2 = {d["id"]: d["reason"] for d in st2.dropped}
    assert set(leaks) <= set(hit2)
    assert sum(r == "contaminated_embedding" for r in hit2.values()) >= 1
    assert sum(i not in leaks for i in hit2) <= 2


# ---------------------------------------------------------------- diversity, quality, selection

def test_annotate_verify_select(pool, normalised, embedder):
    ds, _ = normalised
    flaws = pool.flaws()
    ds = Dataset.from_dict(ds[:600])
    t, _ = TagDomains()(ds)
    assert all(t["domain"])
    c, cst = Cluster(embedder, k=12)(t)
    assert cst.info["k"] == 12 and len(set(c["cluster"])) == 12
    d, _ = ScoreDifficulty()(c)
    v, vst = VerifyAnswers()(d)
    wrong = {i for i in ds["id"] if flaws[i] & {"wrong_answer", "bad_format"}}
    assert {x["id"] for x in vst.dropped} == wrong
    sel, sst = select_budget(v, 0.12)
    assert len(sel) == round(0.12 * len(v)) and all(sel["kept_because"])
    avail = Counter(v["domain"])
    names = sorted(avail)
    assert Counter(sel["domain"]) == dict(zip(names, balanced_quota([avail[k] for k in names], len(sel)).tolist()))
    assert np.mean(sel["difficulty"]) > np.mean(v["difficulty"])


def test_regeneration_retry_cap():
    class Regen:
        def __init__(self): self.calls = 0
        def __call__(self, row, attempt):
            self.calls += 1
            return f"ok\n#### {row['answer']}" if attempt == 5 else None
    ds = Dataset.from_dict({"id": ["a"], "answer": ["7"], "reasoning": ["3 + 3 = 6\n#### 6"]})
    r = Regen(); out, st = VerifyAnswers(regenerate=r, max_retries=4)(ds)
    assert len(out) == 0 and r.calls == 4 and "after 4 regenerations" in st.dropped[0]["detail"]
    out, _ = VerifyAnswers(regenerate=Regen(), max_retries=8)(ds)
    assert out["regenerations"] == [5]


def test_balanced_quota_properties():
    rng = np.random.default_rng(0)
    for _ in range(200):
        sizes = rng.integers(0, 40, rng.integers(1, 9))
        b = int(rng.integers(0, sizes.sum() + 3))
        q = balanced_quota(sizes, b)
        assert q.sum() == min(b, sizes.sum()) and (q <= sizes).all()
        short = q < sizes  # groups with room left all got at least as much as any other group
        if short.any(): assert q[short].min() >= q.max() - 1


# ---------------------------------------------------------------- resumability

class CountingStage(Stage):
    "Drops rows whose id ends in a digit in `drop`; counts calls on the class."
    name = "counting"
    calls = 0
    def __init__(self, drop="0"): self.drop = drop
    def __call__(self, ds):
        type(self).calls += 1
        return finish_stage(self.name, ds, ["dropped" if i[-1] in self.drop else None for i in ds["id"]])


def test_pipeline_rerun_skips_finished_stages(tmp_path):
    data = Dataset.from_dict({"id": [f"r{i}" for i in range(30)], "x": list(range(30))})
    CountingStage.calls = 0
    p = Pipeline([CountingStage("0"), CountingStage("1")], progress=False)
    a = p.run(data, tmp_path)
    assert CountingStage.calls == 2 and len(a.dataset) == 24
    b = Pipeline([CountingStage("0"), CountingStage("1")], progress=False).run(data, tmp_path)
    assert CountingStage.calls == 2 and b.skipped == ["counting", "counting"] and b.dataset["id"] == a.dataset["id"]
    c = Pipeline([CountingStage("0"), CountingStage("12")], progress=False).run(data, tmp_path)
    assert CountingStage.calls == 3 and c.skipped == ["counting"] and len(c.dataset) == 21
    assert [s.reasons for s in b.stats] == [s.reasons for s in a.stats]
    d = Pipeline([CountingStage("0")], progress=False).run(data.select(range(20)), tmp_path)  # other input: recomputed
    assert d.skipped == []


KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    import datasets
    from reasonlab.curation.pool import make_pool
    from reasonlab.curation.stages import Normalise, Pipeline
    from reasonlab.curation.dedup import ExactDedup, NearDedup
    real = datasets.Dataset.save_to_disk
    def save_then_die(self, path, **kw):
        real(self, path, **kw)  # the data is fully written into the temp folder ...
        if "near_dedup" in str(path): os.kill(os.getpid(), signal.SIGKILL)  # ... and the process dies before the rename
    datasets.Dataset.save_to_disk = save_then_die
    pool = make_pool(200, seed=1)
    Pipeline([Normalise(pool.mappings), ExactDedup(), NearDedup(progress=False)], progress=False).run(pool.sources, sys.argv[1])
""")


def test_killed_mid_stage_leaves_no_partial_output(tmp_path):
    run = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(run)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr[-2000:]
    names = sorted(p.name for p in run.iterdir())
    assert [n.split("-")[1] for n in names if not n.startswith(".")] == ["normalise", "exact_dedup"]
    assert any(n.startswith(".tmp-02-near_dedup") for n in names)  # the unfinished write is only a temp folder
    pool = make_pool(200, seed=1)
    res = Pipeline([Normalise(pool.mappings), ExactDedup(), NearDedup(progress=False)], progress=False).run(pool.sources, run)
    assert res.skipped == ["normalise", "exact_dedup"]
    assert not list(run.glob(".tmp-*"))  # the stale temp folder of the dead process is gone
    assert (res.folders[2] / "stats.json").exists()


def test_selection_pipeline_end_to_end(tmp_path, embedder):
    pool = make_pool(300, benchmark=BENCH[:10], seed=11)
    pipe = selection_pipeline(pool.benchmark, budget=40, mappings=pool.mappings, embedder=embedder.embedder,
                              cache_dir=tmp_path / "emb", run_dir=tmp_path / "run", k=8, progress=False)
    res = pipe.run(pool.sources)
    assert len(res.dataset) == 40 and all(res.dataset["verified"])
    rep = pool.report(res.stats)
    assert rep["clean_originals_dropped"] == 0
    assert rep["recall"]["contaminated"]["removed"] == 10
    assert pipe.run(pool.sources).skipped == [s.name for s in pipe.stages]
