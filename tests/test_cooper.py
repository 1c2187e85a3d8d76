"""The Cooper notebook at test scale (papers/cooper/test.yaml), run headless by the same runner as `make reproduce`,
plus the co-training pieces on real tiny objects: the masked pairwise loss, the corrupter's acceptance rule, the
reward call's order (pre-update scores, then one reward-model step) and bad input."""
import math
import pandas as pd
import pytest
import torch
from reasonlab.claims import VERDICTS
from reasonlab.generation import CallableGenerator
from reasonlab.models import load_model, build_tiny_model, TinyModelSpec
from reasonlab.recipes import warm_start
from reasonlab.rewards.reward_model import RewardModelError, tiny_reward_model, reward_logits
from reasonlab.papers.cooper import (CooperReward, answer_rewrite, corrupt, pair_loss, first_positives, verify_rm_text,
                                     hybrid_label, shortcut_rows, rule_correct, head_tail)

PAPER = "cooper"  # run once per module by the `result` fixture in conftest.py
POS = "17+55: 7+5=12, 1+5+1=7, so 72\n#### 72"
Q = "Ann has 17 apples. Ann gets 55 more. How many apples now?\n"


def test_runs_and_judges_with_one_seed(result):
    assert result["ok"], result.get("error")
    m = result["metrics"]
    assert {"rule", "static", "cooper", "static_rm"} <= set(m["summary"])
    for c in m["claims"]:
        assert c["ran"] and c["verdict"] in VERDICTS and c["n_seeds"] == 1 and c["verdict"] == "inconclusive"  # one seed


def test_records_carry_truth_and_the_rm_view(result):
    recs = pd.read_csv(result["out"]/"cooper"/"records.csv")
    p = result["metrics"]["params"]
    assert set(recs.arm) == {"rule", "static", "cooper"}
    assert (recs.groupby(["arm", "step"])["item"].nunique() == p["N_TEST"]).all()
    assert recs.correct.isin([0.0, 1.0]).all() and recs.rm_score.between(0, 1).all()
    assert (recs.gap - (recs.rm_score - recs.correct)).abs().max() < 1e-9
    # every arm starts from the same policy and the same static reward model: identical step-0 records
    start = recs[recs.step == 0].pivot_table(index="item", columns="arm", values="rm_score")
    assert (start.max(axis=1) - start.min(axis=1)).max() < 1e-5


def test_cooper_updates_its_rm_and_the_static_one_does_not(result):
    recs = pd.read_csv(result["out"]/"cooper"/"records.csv")
    s = result["metrics"]["summary"]
    assert s["cooper"]["rm_valid_pairs_per_run"][0] > 0 and s["static"]["rm_valid_pairs_per_run"] == [0.0]
    # the static model's scores change only because the policy's completions change; Cooper's model itself moves:
    # on the step-0 completions both arms share, a rescoring would differ — here read through the training logs
    hist = pd.concat(pd.read_csv(f) for f in (result["out"]/"cooper"/"runs").glob("cooper-*/history.csv"))
    assert hist["cooper/valid"].dropna().gt(0).any() and hist["cooper/loss"].dropna().map(math.isfinite).all()
    assert 0 < s["static_rm"]["heldout_accuracy"] <= 1 and s["static_rm"]["rows_trained"] < s["static_rm"]["rows_annotated"]


def test_pair_loss_masks_and_matches_a_loop():
    sp, sn, v = torch.tensor([2.0, -1.0, 0.5]), torch.tensor([0.0, 3.0, 0.5]), torch.tensor([1, 0, 1])
    ref = (-math.log(1 / (1 + math.exp(-2.0))) - math.log(0.5)) / (2 + 1e-6)
    assert pair_loss(sp, sn, v).item() == pytest.approx(ref, rel=1e-5)
    assert pair_loss(sp, sn, torch.zeros(3)).item() == 0.0
    assert first_positives(["a", "a", "b", "b"], [False, True, False, False]) == [("a", 1), ("b", None)]


def test_corrupter_acceptance_and_refusals():
    negs, st = corrupt(CallableGenerator(answer_rewrite(3)), [Q, Q], [POS, "no answer here"])
    assert negs[0] is not None and len(negs[0]) == len(POS) and not rule_correct(negs[0], "72")
    assert negs[1] is None and st["empty"] == 3  # nothing to rewrite: refused three times, the prompt is masked
    same = CallableGenerator(lambda p, n, s: [["#### 72"] for _ in p])  # never changes the answer
    negs, st = corrupt(same, [Q], [POS])
    assert negs == [None] and st["equivalent"] == 3


def test_reward_order_and_bad_input():
    _, tok = load_model(str(warm_start()))
    rm = tiny_reward_model(tok, seed=1)
    coop = CooperReward(rm, tok, mode="cooper", corrupter=CallableGenerator(answer_rewrite(0)), lr=1e-3)
    texts = [verify_rm_text(Q, "72", POS)]
    before = torch.sigmoid(reward_logits(rm, tok, texts)).item()
    got = coop(prompts=[Q, Q], completions=[POS, "#### 3"], answer=["72", "72"])
    assert got[0] == pytest.approx(before, abs=1e-6)  # the policy's reward is the pre-update score
    assert torch.sigmoid(reward_logits(rm, tok, texts)).item() != pytest.approx(before, abs=1e-7)  # then one step
    assert coop.updates[-1]["valid"] == 1
    with pytest.raises(RewardModelError, match="not a sequence classifier"):
        CooperReward(build_tiny_model(TinyModelSpec(), tok), tok, mode="static")
    with pytest.raises(ValueError, match="needs a corrupter"):
        CooperReward(rm, tok, mode="cooper")
    broken = CooperReward(rm, tok, mode="cooper", corrupter=CallableGenerator(lambda p, n, s: None))
    out = broken(prompts=[Q, 5], completions=[POS, None], answer=["72", "72"])
    assert len(out) == 2 and all(math.isfinite(x) for x in out) and broken.updates[-1]["valid"] == 0


def test_template_and_labels():
    assert head_tail("x" * 1501) == "x" * 1500 and verify_rm_text("Z" * 3000, "1", "c").count("Z") == 3000
    assert hybrid_label(POS, "72") == 1 and hybrid_label(POS.replace("7+5=12", "7+5=13"), "72") is None
    rows = [{"completion": c, "label": y} for c, y in (("#### 72", 1), ("a longer right one #### 72", 1), ("x #### 1", 0), ("a much longer wrong #### 9", 0))]
    assert [r["completion"] for r in shortcut_rows(rows)] == ["#### 72", "x #### 1", "a much longer wrong #### 9"]


def test_the_planted_shortcut_is_reachable_and_learned(result):
    "The start policy's rollouts of one prompt differ in the shortcut's feature (bare vs worked), and the static RM pays for it."
    rm = result["metrics"]["summary"]["static_rm"]
    f, score = rm["start_formats"], rm["heldout_score"]
    assert 0 < f["bare_share"] < 0.6 and f["groups_mixed"] > 0.2
    assert f["bare_accuracy"] < f["worked_accuracy"]  # taking the shortcut costs accuracy
    assert score["bare_wrong"] > score["worked_wrong"]  # a wrong bare answer outscores a wrong working: the shortcut
