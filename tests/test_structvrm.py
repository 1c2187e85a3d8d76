"""The StructVRM notebook at test scale (papers/structvrm/test.yaml), run headless by the same runner as
`make reproduce`, plus the multi-part task family it trains on."""
import pandas as pd
import pytest
from reasonlab.claims import VERDICTS
from reasonlab.tasks import split_of
from reasonlab.rewards.structured import StructuredReward, reference_parts, StructuredScorer
from reasonlab.papers.structvrm import make_multipart, multipart_accuracy, MultipartScorer

PAPER = "structvrm"  # run once per module by the `result` fixture in conftest.py


def test_runs_and_judges_with_one_seed(result):
    assert result["ok"], result.get("error")
    m = result["metrics"]
    assert set(m["summary"]) == {"partial", "binary"}
    claims = {c["id"]: c for c in m["claims"]}
    assert claims["denser-signal"]["check"] and claims["denser-signal"]["verdict"] == "inconclusive"  # one seed
    for c in claims.values():
        if not c["check"]: assert c["verdict"] == "inconclusive" and c["n_seeds"] == 1 and c["verdict"] in VERDICTS


def test_records_score_whole_items_and_parts(result):
    recs = pd.read_csv(result["out"]/"structvrm"/"records.csv")
    held = recs[recs.arm.isin(["partial", "binary"])]
    p = result["metrics"]["params"]
    assert set(held.parts.unique()) <= set(range(p["PARTS_MIN"], p["PARTS_MAX"] + 1))
    assert (held.groupby(["arm", "step"])["item"].nunique() == p["N_TEST"]).all()


def test_task_family_splits_and_references():
    tr, te = make_multipart(400, "train", parts=2), make_multipart(80, "test", parts=2)
    assert not set(tr["prompt"]) & set(te["prompt"])
    assert {split_of(p) for p in tr["prompt"]} == {"train"} and {split_of(p) for p in te["prompt"]} == {"test"}
    refs = [f"{r['reasoning']}\n#### {r['answer']}" for r in te]
    for r in te:
        assert reference_parts(r["answer"]) == r["part_answers"] and len(r["part_answers"]) == 2
    for partial in (True, False):
        assert StructuredReward(partial=partial)(completions=refs, answer=te["answer"]) == [1.0] * len(te)
    mixed = make_multipart(60, "test", parts=(2, 4))
    assert all(len(reference_parts(a)) == k for a, k in zip(mixed["answer"], mixed["parts"]))


def test_partial_vs_binary_on_one_wrong_part():
    te = make_multipart(20, "test", parts=3)
    wrong = [f"#### (a) {a} (b) {int(b) + 1} (c) {c}" for a, b, c in te["part_answers"]]
    assert StructuredReward(partial=True)(completions=wrong, answer=te["answer"]) == pytest.approx([2 / 3] * 20)
    assert StructuredReward(partial=False)(completions=wrong, answer=te["answer"]) == [0.0] * 20
    acc = multipart_accuracy(StructuredScorer().score_batch(wrong, te["answer"]))
    assert acc["whole_accuracy"] == 0.0 and acc["part_2_accuracy"] == 0.0 and acc["part_1_accuracy"] == 1.0
    assert MultipartScorer()(wrong[:1], {"answer": te["answer"][:1]}) == [{"whole": 0.0, "part": pytest.approx(2 / 3), "parts": 3.0}]


def test_launcher_runs_the_notebook_on_two_processes(result, tmp_path):
    """`reasonlab-launch structvrm --scale test --config configs/accelerate/cpu2.yaml`: the same notebook as a 2-rank
    job (gloo). The held-out evaluation of the start policy does not depend on the ranks, so it equals the single-process
    run's item by item; after training, the ranks sample their own rollouts, so the records differ and the verdicts
    (one seed: inconclusive) are compared, not the numbers. Only rank 0 writes."""
    import json, subprocess, sys
    from pathlib import Path
    launch = Path(sys.executable).absolute().parent/"reasonlab-launch"
    r = subprocess.run([str(launch), PAPER, "--scale", "test", "--config", "configs/accelerate/cpu2.yaml", "--output-root", str(tmp_path)],
                       capture_output=True, text=True, timeout=1200, cwd=Path(__file__).resolve().parents[1])
    assert r.returncode == 0, r.stderr[-3000:]
    two = json.loads((tmp_path/PAPER/"metrics.json").read_text())
    one = result["metrics"]
    assert two["processes"] == 2 and one["processes"] == 1
    assert [(c["id"], c["verdict"]) for c in two["claims"]] == [(c["id"], c["verdict"]) for c in one["claims"]]
    a = pd.read_csv(result["out"]/PAPER/"records.csv"); b = pd.read_csv(tmp_path/PAPER/"records.csv")
    start = lambda d: d[d.step == 0].sort_values(["arm", "item"]).reset_index(drop=True)[["arm", "item", "whole", "part"]]
    pd.testing.assert_frame_equal(start(a), start(b))
    assert sorted(b.step.dropna().unique()) == sorted(a.step.dropna().unique()) and len(a) == len(b)
    assert sorted(p.name for p in (tmp_path/PAPER/"runs").iterdir()) == ["binary-0", "partial-0"]
