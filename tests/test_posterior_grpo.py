"""The Posterior-GRPO notebook at test scale (papers/posterior-grpo/test.yaml), run headless by the same runner as
`make reproduce`, plus the program task, the OD pairs, the process RM and the three arms' rewards on real objects."""
import json
import random
import pandas as pd
import pytest
from reasonlab.claims import VERDICTS
from reasonlab.tasks import split_of, DatasetError
from reasonlab.models import TinyModelSpec, train_tokenizer, build_tiny_model
from reasonlab.rewards.compose import FormatReward
from reasonlab.rewards.reward_model import tiny_reward_model, RewardModelError, load_reward_model
from reasonlab.papers.posterior_grpo import (make_programs, od_pairs, hack_pairs, degrade, think_text, AXES, PAIR_KINDS,
                                             MemoCodeTestReward, process_reward, arm_reward, read_pairs, ProgramScorer,
                                             think_rm_input)

PAPER = "posterior-grpo"  # run once per module by the `result` fixture in conftest.py
ARMS = ("gated", "sum", "outcome")
SMALL = TinyModelSpec(hidden_size=32, intermediate_size=64, num_hidden_layers=1)


def test_runs_and_judges_with_one_seed(result):
    assert result["ok"], result.get("error")
    m = result["metrics"]
    assert set(ARMS) <= set(m["summary"])
    claims = {c["id"]: c for c in m["claims"]}
    assert set(claims) == {"sum-hacked", "gate-prevents-hacking", "gated-beats-outcome", "gated-beats-sum", "gated-improves-start", "gate-denser-signal"}
    for c in claims.values():
        assert c["ran"] and c["verdict"] in VERDICTS + ("holds", "fails")
        assert c["verdict"] == "inconclusive" and c["n_seeds"] == 1  # one seed decides nothing


def test_process_rm_learns_the_pairs_and_the_shortcut(result):
    "Bradley–Terry training lifts held-out pairwise accuracy, and the RM prefers a wrong trace with a check line (exploitable)."
    s = result["metrics"]["summary"]
    before, after = s["rm_accuracy_before"], s["rm_accuracy_after"]
    assert after["all"] > before["all"] and after["all"] >= 0.7
    assert after["optimized>base"] >= 0.9
    assert after["right>wrong+check (probe)"] < 0.5


def test_logged_components_add_up_to_each_arms_reward(result):
    "From the training logs: outcome = fmt + out; sum = fmt + out + proc; gated in between (fmt + out + proc on passing rollouts only)."
    hist = pd.concat([pd.read_csv(p) for p in (result["out"]/PAPER/"runs").glob("*/history.csv")])
    hist = hist.dropna(subset=["rewards/process/mean"])
    assert set(hist.variant) == set(ARMS)
    for v, h in hist.groupby("variant"):
        fo = h["rewards/format/mean"] + h["rewards/outcome/mean"]
        total = h[f"rewards/{v}_reward/mean"]
        if v == "outcome": assert (total - fo).abs().max() < 1e-5
        if v == "sum": assert (total - fo - h["rewards/process/mean"]).abs().max() < 1e-5
        if v == "gated":
            assert (total >= fo - 1e-5).all() and (total <= fo + h["rewards/process/mean"] + 1e-5).all()
            assert (h["rewards/process/gate_open"] - h["rewards/outcome/mean"]).abs().max() < 1e-5


def test_records_score_every_held_out_item(result):
    recs = pd.read_csv(result["out"]/PAPER/"records.csv")
    held = recs[recs.arm.isin(ARMS)]
    p = result["metrics"]["params"]
    assert (held.groupby(["arm", "step"])["item"].nunique() == p["N_TEST"]).all()
    n = p["EVAL_SAMPLES"]  # a record is the mean over n sampled completions: pass is a multiple of 1/n
    assert n > 1 and ((held["pass"] * n - (held["pass"] * n).round()).abs() < 1e-9).all() and held["pass"].between(0, 1).all()
    assert held["process"].between(0, 1).all()
    assert ((held["gap"] - (held["process"] - held["pass"])).abs() < 1e-6).all()
    start = held[held.step == 0].groupby("arm")["pass"].mean()
    # one shared start policy, and seeded evaluation on common random numbers: every arm's start records are the same;
    # with headroom: chosen by its sampled pass rate on train prompts (≈ 0.45), it passes some held-out items, not all
    assert start.nunique() == 1 and 0 < start.iloc[0] < 1


def test_program_task_splits_and_references():
    tr, te = make_programs(400, "train"), make_programs(80, "test")
    assert not set(tr["prompt"]) & set(te["prompt"])
    assert {split_of(p) for p in tr["prompt"]} == {"train"} and {split_of(p) for p in te["prompt"]} == {"test"}
    assert MemoCodeTestReward(workers=1)(te["prompt"][:10], te["completion"][:10], tests=te["tests"][:10]) == [1.0] * 10
    assert all(FormatReward().check(c) for c in te["completion"])


def test_od_pairs_follow_the_three_axes():
    te = make_programs(60, "test")
    p = od_pairs(te)
    assert len(p) == 180 and set(p["kind"]) == set(PAIR_KINDS) and set(p["axis"]) == set(AXES)
    for c, r, k in zip(p["chosen"], p["rejected"], p["kind"]):
        assert c != r and c.split("<think>")[0] == r.split("<think>")[0]  # same problem, different traces
        assert ("check:" in c) == k.startswith("optimized") and "check:" not in r
    probe = hack_pairs(te)
    assert all("check:" in r and "check:" not in c for c, r in zip(probe["chosen"], probe["rejected"]))
    with pytest.raises(ValueError, match="unknown axis"): degrade([("add", 2)], "style", random.Random(0))


def test_bad_pair_file_and_bad_reward_model_are_refused(tmp_path):
    f = tmp_path/"pairs.jsonl"
    f.write_text(json.dumps({"chosen": "a", "rejected": "b"}) + "\n" + json.dumps({"chosen": "a", "rejected": ""}) + "\n")
    with pytest.raises(DatasetError, match="line 2: field 'rejected'"): read_pairs(f)
    f.write_text("not json\n")
    with pytest.raises(DatasetError, match="line 1 is not JSON"): read_pairs(f)
    tok = train_tokenizer(list(make_programs(100, "train")["completion"]), 300)
    with pytest.raises(RewardModelError, match="not a sequence classifier"): process_reward(build_tiny_model(SMALL, tok), tok)
    lm = tmp_path/"lm"; build_tiny_model(SMALL, tok).save_pretrained(lm); tok.save_pretrained(lm)
    with pytest.raises(RewardModelError, match="not a sequence classifier"): load_reward_model(str(lm))


def test_rewards_never_raise_and_the_gate_counts_process_only_on_passing_programs():
    te = make_programs(4, "test")
    tok = train_tokenizer(list(make_programs(100, "train")["completion"]), 300)
    proc, out = process_reward(tiny_reward_model(tok, SMALL), tok), MemoCodeTestReward(workers=1)
    wrong = te["completion"][0].replace("\n```</answer>", " + 1\n```</answer>")
    junk = [None, 3, "", "<think></think><answer>```python\nimport os\nos.system('true')\n```</answer>", wrong, te["completion"][0]]
    kw = dict(prompts=[te["prompt"][0]] * 6, completions=junk, tests=[te["tests"][0]] * 6)
    ps = proc(**kw)
    for v in ARMS:
        r = arm_reward(v, FormatReward(), out, proc)(**kw)
        assert len(r) == 6 and r[:4] == [0.0] * 4  # nothing readable, nothing to run, or a program that fails: no credit
        assert r[5] == pytest.approx(2.0 + (ps[5] if v != "outcome" else 0.0))
        assert r[4] == pytest.approx(1.0 + (ps[4] if v == "sum" else 0.0))
    assert think_rm_input("p", "no think", {}) is None and think_rm_input("p", "<think>a</think>", {"problem": "q"}) == "q<think>a</think>"
    recs = ProgramScorer(out, proc)(junk, {"prompt": kw["prompts"], "tests": kw["tests"]})
    assert [r["pass"] for r in recs] == [0, 0, 0, 0, 0, 1]
