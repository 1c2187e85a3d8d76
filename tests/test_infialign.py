"""The InfiAlign notebook at test scale (papers/infialign/test.yaml), run headless by the same runner as
`make reproduce`: curation → SFT arms → curriculum → DPO, with metrics, figures and claims; plus the pure helpers."""
import json
import random

import numpy as np
import pytest
from datasets import Dataset

from reasonlab.reproduce import paper_params
from reasonlab.tasks import ExactAnswerReward
from reasonlab.curation import pool as curation_pool
from reasonlab.papers.infialign import (PATTERNS, OpPatternTagger, curriculum_stages, dpo_pairs, held_out_problems,
                                        make_tiny_pool, pattern_problem, problem_key, sft_rows, verdict)

CLAIMS = {"curated-on-par-with-full", "curated-beats-random", "dpo-gain-on-hard"}


PAPER = "infialign"  # run once per module by the `result` fixture in conftest.py


@pytest.fixture(scope="module")
def metrics(result):
    assert result["ok"], result.get("error")
    return result["metrics"]


def test_runs_and_records_claims(metrics):
    assert {c["id"] for c in metrics["claims"]} == CLAIMS
    for c in metrics["claims"]:
        assert c["paper"] and c["ours"] and c["verdict"] in {
            "reproduced", "not reproduced", "partly (mean gain, not every seed)", "partly (within 2x tolerance)"}, c


def test_accuracies_are_fractions_and_the_eval_path_is_right(metrics):
    for r in metrics["records"]:
        for k, v in r.items():
            if k in ("accuracy", "easy", "hard") or k.startswith("domain/"):
                assert v is None or 0.0 <= v <= 1.0, (k, v)
    # the starting policy solves one-step problems in its own phrasing (≈98%) but few two-step ones
    assert metrics["base"]["easy"] >= 0.8 and metrics["base"]["hard"] < metrics["base"]["easy"]
    assert {r["arm"] for r in metrics["records"]} == {"base", "curated", "random", "full", "curriculum", "curriculum+dpo"}


def test_curated_and_random_rows_really_differ(metrics):
    cur = metrics["curation"]
    f = next(iter(cur["budgets"]))
    curated, rnd = cur["curated_ids"][f], cur["random_ids_seed0"][f]
    assert len(curated) == len(rnd) == cur["budgets"][f] > 0
    assert set(curated) != set(rnd) and cur["curated_random_overlap"][f] < 0.5
    comp = metrics["composition"]
    c, r = comp[f"curated@{f}"], comp[f"random@{f}"]
    # the filters remove what was planted; the random draw keeps its share of it
    for k in ("wrong_answer_share", "bad_format_share", "exact_dup_share", "contaminated_share"):
        assert c[k] == 0.0, (k, c[k])
    assert r["wrong_answer_share"] + r["bad_format_share"] + r["exact_dup_share"] + r["contaminated_share"] > 0
    # domain balance: each of the six domains gets about a sixth; the skewed pool gives 'add' far more
    assert max(c["domains"].values()) - min(c["domains"].values()) < 0.05, c["domains"]
    assert r["domains"]["add"] > 0.25 and c["hard_share"] > r["hard_share"]
    # the pipeline removed every planted wrong answer and leak, and no clean original
    rep = cur["planted_report"]
    assert rep["recall"]["wrong_answer"]["removed"] == rep["recall"]["wrong_answer"]["planted"]
    assert rep["recall"]["contaminated"]["removed"] == rep["recall"]["contaminated"]["planted"]
    assert rep["clean_originals_dropped"] == 0


def test_dpo_pairs_are_real_errors(metrics, result):
    info = metrics["dpo"]["0"]
    assert 0 < info["pairs"] <= info["prompts"] and 0.0 <= info["sample_accuracy"] <= 1.0
    pairs = [json.loads(l) for l in (result["out"]/"infialign"/"dpo_pairs_example.jsonl").read_text().splitlines()]
    assert len(pairs) == info["pairs"]
    score = ExactAnswerReward()
    for p in pairs:
        assert p["chosen"] != p["rejected"]
        gold = p["chosen"].rsplit("#### ", 1)[1]
        assert score(completions=[p["chosen"], p["rejected"]], answer=[gold, gold]) == [1.0, 0.0]


def test_verdicts_follow_from_the_records(metrics):
    recs = metrics["records"]
    acc = lambda arm, col="accuracy": {r["seed"]: r[col] for r in recs if r["arm"] == arm}
    cur, rnd, full = acc("curated"), acc("random"), acc("full")
    claims = {c["id"]: c for c in metrics["claims"]}
    assert claims["curated-beats-random"]["verdict"] == verdict([cur[s] - rnd[s] for s in cur])
    tol = metrics["params"]["TOLERANCE"]
    assert claims["curated-on-par-with-full"]["verdict"] == verdict([cur[s] - full[s] for s in cur], "on_par", tol)
    before, after = acc("curriculum", "hard"), acc("curriculum+dpo", "hard")
    assert claims["dpo-gain-on-hard"]["verdict"] == verdict([after[s] - before[s] for s in after])


def test_compute_matched_and_outputs_written(metrics, result):
    p = metrics["params"]
    losses = metrics["train_losses"]
    for tag in ("curated@0.12-s0", "random@0.12-s0", "full-s0"):  # same steps, logged every steps/5
        assert len(losses[tag]) == 5, (tag, losses[tag])
    assert len(losses["curriculum1-s0"]) + len(losses["curriculum2-s0"]) >= 2
    d = result["out"]/"infialign"
    for f in metrics["figures"] + ["infialign.ipynb", "accuracy.csv"]: assert (d/f).exists(), f
    assert p["SFT_STEPS"] == 10


@pytest.mark.parametrize("scale", ["tiny", "test", "full"])
def test_parameter_files_match_the_notebook(scale):
    paper_params("infialign", scale)  # raises on an unknown key or a wrong type


def test_pool_domains_are_registered_only_for_the_call():
    before = dict(curation_pool.GENERATORS)
    pool = make_tiny_pool(80, seed=1)
    assert curation_pool.GENERATORS == before
    tag = OpPatternTagger()
    originals = [i for i, k in zip(pool.labels["id"], pool.labels["kind"]) if k == "original"]
    src = {i: q for name, s in pool.sources.items()
           for i, q in zip(s[pool.mappings[name]["id"]], s[pool.mappings[name]["question"]])}
    assert all(tag(src[i]) in PATTERNS for i in originals)


def test_held_out_never_shares_a_problem_with_the_pool():
    pool_q = [pattern_problem(random.Random(i), p)[0] for i in range(300) for p in PATTERNS.values()]
    held = held_out_problems(120, seed=3, exclude=pool_q)
    assert not {problem_key(p.strip()) for p in held["prompt"]} & {problem_key(q) for q in pool_q}
    assert held["level"].count("hard") == 80


def test_dpo_pairs_and_curriculum_helpers():
    pairs, info = dpo_pairs(["a", "b"], ["x\n#### 1", "y\n#### 2"], ["1", "2"], [["#### 1", "#### 5"], ["#### 2"]],
                            ExactAnswerReward())
    assert pairs["rejected"] == ["#### 5"] and info["all_correct_prompts"] == 1
    ds = Dataset.from_dict({"question": list("abcde"), "reasoning": ["#### 1"] * 5, "difficulty": [5, 4, 3, 2, 1]})
    s1, s2 = curriculum_stages(ds, 0.4)
    assert s1["question"] == ["d", "e"] and len(s2) == 5
    assert sft_rows(ds)["prompt"][0] == "a\n"
    assert verdict(np.array([0.1, 0.2])) == "reproduced"
