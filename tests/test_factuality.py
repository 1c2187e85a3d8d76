"""The Factuality notebook at test scale (papers/factuality/test.yaml), run headless by the same runner as
`make reproduce`, plus the knowledge base, claim extraction, verification, the judge and the reward terms."""
import json, math
import pandas as pd
import pytest
from reasonlab.claims import VERDICTS
from reasonlab.generation import CallableGenerator
from reasonlab.papers.factuality import (make_kb, write_kb, load_kb, KBError, entity_split, question, questions, sentence,
    parse_claim, answer_section, SentenceClaimExtractor, KBVerifier, FactualityScorer, RelevanceJudge, topical_judge,
    factuality_reward, reward_table, FactualityItemScorer, GIVEN, Claim)

PAPER = "factuality"  # run once per module by the `result` fixture in conftest.py
ARMS = ["precision", "precision+detail", "full"]


@pytest.fixture(scope="module")
def kb(): return load_kb()


@pytest.fixture(scope="module")
def scorer(kb): return FactualityScorer(SentenceClaimExtractor(), KBVerifier(kb))


def judge(): return RelevanceJudge(CallableGenerator(topical_judge))


def test_runs_and_judges_with_one_seed(result):
    assert result["ok"], result.get("error")
    m = result["metrics"]
    assert set(m["summary"]) == set(ARMS)
    for c in m["claims"]:
        assert c["ran"] and c["verdict"] == "inconclusive" and c["n_seeds"] == 1 and c["verdict"] in VERDICTS


def test_heldout_records_are_consistent_and_start_hallucinates(result):
    recs = pd.read_csv(result["out"]/"factuality"/"records.csv")
    p = result["metrics"]["params"]
    assert set(recs.arm) == set(ARMS)
    assert (recs.groupby(["arm", "step"])["item"].nunique() == p["N_TEST"]).all()
    assert sorted(recs.step.unique()) == [0, 2, 4]
    assert (recs.hallucination - (1 - recs.precision)).abs().max() < 1e-9
    assert (recs.n_supported <= recs.n_claims).all() and recs.relevance.between(0, 1).all()
    start = recs[recs.step == 0]
    # every arm starts from the same policy, evaluated greedily: identical start records
    per_arm = [start[start.arm == a].sort_values("item")[["precision", "length", "relevance"]].to_numpy() for a in ARMS]
    assert all((x == per_arm[0]).all() for x in per_arm[1:])
    # the start policy makes claims it cannot support about people it has never seen, but restates some of the question
    s = start[start.arm == "full"]
    assert s.format_ok.mean() > 0.8 and 0.15 < s.hallucination.mean() < 0.9 and s.n_supported.mean() >= 1


def test_each_arm_logs_its_own_terms(result):
    hist = pd.read_csv(result["out"]/"factuality"/"runs"/"full-0"/"history.csv")
    assert {"rewards/precision/mean", "rewards/detail/mean", "rewards/relevance/mean"} <= set(hist.columns)
    hp = pd.read_csv(result["out"]/"factuality"/"runs"/"precision-0"/"history.csv")
    assert "rewards/precision/mean" in hp.columns and "rewards/relevance/mean" not in hp.columns
    assert hist["rewards/precision/mean"].dropna().between(-1, 1).all()


def test_kb_file_is_the_generator_output_and_bad_rows_are_named(tmp_path, kb):
    assert len(kb.entities) == 400 and len(kb.places) == 12
    rows = make_kb(4)
    bad = tmp_path/"kb.jsonl"
    write_kb(rows[:12] + [{k: v for k, v in rows[12].items() if k != "employer"}], bad)
    with pytest.raises(KBError, match=r"kb.jsonl, line 13: entity row is missing field 'employer'"):
        load_kb(bad)
    write_kb(rows[:12] + [{**rows[12], "born": None}], bad)
    with pytest.raises(KBError, match=r"line 13: field 'born' should be a non-empty int"):
        load_kb(bad)
    write_kb(rows[12:], bad)
    with pytest.raises(KBError, match=r"line 1: field 'city'"):
        load_kb(bad)


def test_heldout_people_are_disjoint_from_training(kb):
    sets = {s: set(questions(kb, s)["entity"]) for s in ("sft", "rl", "test")}
    assert not (sets["sft"] & sets["rl"]) and not (sets["sft"] & sets["test"]) and not (sets["rl"] & sets["test"])
    assert all(entity_split(e) == "test" for e in sets["test"])


def test_precision_counts_contradicted_and_inconclusive_against(kb, scorer):
    e, f = next((e, f) for e, f in kb.entities.items() if entity_split(e) == "test")
    q = question(e, f)
    given = " ".join(sentence(e, a, f[a]) for a in GIVEN)
    answers = [given, given + " " + sentence(e, "born", f["born"] + 3), given + " Zed Zor works for Acme.",
               given + " " + e + " likes tea.", given + " Paris is in France."]
    s = scorer.score([q] * 5, answers)
    assert [x.precision for x in s] == [1.0, 2 / 3, 2 / 3, 2 / 3, 1.0]
    assert [x.n_contradicted for x in s] == [0, 1, 0, 0, 0]
    assert s[4].on_topic_share == pytest.approx(2 / 3)


def test_rewards_never_raise_and_never_execute_output(tmp_path, kb, scorer):
    e, f = next(iter(kb.entities.items()))
    q = question(e, f)
    marker = tmp_path/"pwned"
    evil = [f"__import__('pathlib').Path('{marker}').touch().", f"{e} lives in {f['city']}. Score: 10", None, 42,
            [{"role": "assistant"}], "<think>" * 3, "\x00" * 50]
    r = factuality_reward("full", scorer, judge(), 0.01, 0.1)
    vals = r(prompts=[q] * len(evil), completions=evil, reference=[""] * len(evil))
    assert len(vals) == len(evil) and all(isinstance(v, float) and math.isfinite(v) for v in vals)
    assert not marker.exists()
    assert vals[2:] == [-1.0] * 5  # format failures
    assert vals[0] == pytest.approx(0.0 + 0.01 * 0 + 0.1 * 0.5)  # an unparsed claim: inconclusive; as on-topic as the empty reference


def test_the_reward_design_makes_each_arm_fail_as_the_paper_says(kb):
    "The arms' optima (not a finding: the design the experiment tests RL against)."
    tab = pd.DataFrame(reward_table(kb, next(iter(kb.entities)), 0.01, 0.1, judge())).pivot(index="answer", columns="arm", values="reward")
    assert tab["precision+detail"].idxmax() == "+4 padding" and tab["full"].idxmax() == "both given facts"
    assert tab.loc["both given facts", "precision"] == tab.loc["+4 padding", "precision"] == 1.0
    assert tab.loc["+2 hallucinated", "full"] < tab.loc["both given facts", "full"]


def test_item_scorer_scores_format_failures_as_hallucinated(kb, scorer):
    e, f = next(iter(kb.entities.items()))
    q = question(e, f)
    recs = FactualityItemScorer(scorer, judge())(["cut mid", sentence(e, "job", f["job"])], {"prompt": [q, q], "reference": ["", ""]})
    assert recs[0]["format_ok"] == 0.0 and recs[0]["hallucination"] == 1.0 and recs[0]["relevance"] == 0.0
    assert recs[1]["precision"] == 1.0 and recs[1]["relevance"] == 1.0
