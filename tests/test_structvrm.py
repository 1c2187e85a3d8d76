"""The StructVRM notebook at test scale (papers/structvrm/test.yaml), run headless by the same runner as
`make reproduce`, plus the multi-part task family it trains on."""
import pytest
from reasonlab.tasks import split_of
from reasonlab.rewards.structured import StructuredReward, reference_parts
from reasonlab.papers.structvrm import make_multipart, multipart_accuracy
from reasonlab.rewards.structured import StructuredScorer


PAPER = "structvrm"  # run once per module by the `result` fixture in conftest.py


def test_runs_and_records(result):
    assert result["ok"], result.get("error")
    m = result["metrics"]
    assert set(m["variants"]) == {"partial", "binary"}
    assert {c["id"] for c in m["claims"]} >= {"partial-beats-binary", "denser-signal"}
    assert all(c["verdict"] and c["ours"] for c in m["claims"])
    for v in m["variants"].values():
        for k in ("start_whole_accuracy", "start_part_accuracy", "final_whole_accuracy_mean", "final_part_accuracy_mean",
                  "train_partial_reward_mean", "train_binary_reward_mean", "zero_std_group_share_mean"):
            assert 0.0 <= v[k] <= 1.0, (k, v[k])
        assert len(v["final_part_k_accuracy_mean"]) == m["params"]["PARTS"]
        # whole-item right implies every part right: whole accuracy never exceeds mean-part accuracy
        assert v["final_whole_accuracy_mean"] <= v["final_part_accuracy_mean"] + 1e-9
        # on the same training completions the partial reward (mean of parts) is ≥ the binary one (all parts)
        assert v["train_partial_reward_mean"] >= v["train_binary_reward_mean"]
    # the multi-part SFT leaves a start policy that is neither useless nor saturated on whole items
    assert 0.0 < m["start"]["part_accuracy"] and m["start"]["whole_accuracy"] < 1.0


def test_verdicts_follow_from_the_runs(result):
    m = result["metrics"]
    p, b = m["variants"]["partial"], m["variants"]["binary"]
    sig = next(c for c in m["claims"] if c["id"] == "denser-signal")
    assert sig["verdict"] == ("reproduced" if p["zero_std_group_share_mean"] < b["zero_std_group_share_mean"] else "not reproduced")
    main = next(c for c in m["claims"] if c["id"] == "partial-beats-binary")
    c = m["comparison"]
    assert c["delta_whole"] == pytest.approx(p["final_whole_accuracy_mean"] - b["final_whole_accuracy_mean"])
    assert c["delta_part"] == pytest.approx(p["final_part_accuracy_mean"] - b["final_part_accuracy_mean"])
    assert c["noise"] >= 2 / m["params"]["N_TEST"] - 1e-12
    both_up = c["delta_whole"] > c["noise"] and c["delta_part"] > c["noise"]
    assert main["verdict"].startswith("reproduced") == both_up
    if max(abs(c["delta_whole"]), abs(c["delta_part"])) <= c["noise"]: assert "within noise" in main["verdict"]


def test_outputs_written(result):
    out = result["out"]
    assert list(out.glob("structvrm/curves.png")) and list(out.glob("structvrm/history.csv"))


def test_task_family_splits_and_references():
    tr, te = make_multipart(400, "train", parts=2), make_multipart(80, "test", parts=2)
    assert not set(tr["prompt"]) & set(te["prompt"])
    assert {split_of(p) for p in tr["prompt"]} == {"train"} and {split_of(p) for p in te["prompt"]} == {"test"}
    refs = [f"{r['reasoning']}\n#### {r['answer']}" for r in te]
    for r in te:
        assert reference_parts(r["answer"]) == r["part_answers"] and len(r["part_answers"]) == 2
    for partial in (True, False):
        assert StructuredReward(partial=partial)(completions=refs, answer=te["answer"]) == [1.0] * len(te)
    three = make_multipart(30, "test", parts=3)
    assert all(len(reference_parts(a)) == 3 for a in three["answer"])


def test_partial_vs_binary_on_one_wrong_part():
    te = make_multipart(20, "test", parts=3)
    wrong = [f"#### (a) {a} (b) {int(b) + 1} (c) {c}" for a, b, c in te["part_answers"]]
    assert StructuredReward(partial=True)(completions=wrong, answer=te["answer"]) == pytest.approx([2 / 3] * 20)
    assert StructuredReward(partial=False)(completions=wrong, answer=te["answer"]) == [0.0] * 20
    acc = multipart_accuracy(StructuredScorer().score_batch(wrong, te["answer"]))
    assert acc["whole_accuracy"] == 0.0 and acc["part_2_accuracy"] == 0.0 and acc["part_1_accuracy"] == 1.0
    assert acc["part_accuracy"] == pytest.approx(2 / 3)
