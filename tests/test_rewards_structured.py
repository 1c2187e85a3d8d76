"Multi-part (StructVRM-style) rewards: splitting, alignment, partial credit, the judge interface."
import pickle

import pytest

from reasonlab.rewards.math import MathScorer
from reasonlab.rewards.structured import (StructuredReward, StructuredScorer, labelled_parts, parse_judge_reply,
                                          predicted_parts, reference_parts)


class FixedJudge:
    "Implements the project's generate(prompts, n=1, **kw) -> list[list[str]] with fixed replies."
    def __init__(self, reply): self.reply, self.prompts, self.kw = reply, [], None
    def generate(self, prompts, n=1, **kw):
        self.prompts += list(prompts); self.kw = kw
        return [[self.reply] * n for _ in prompts]


@pytest.fixture(scope="module")
def rules():
    m = MathScorer(timeout_s=10.0, n_workers=2)
    yield m
    m.close()


@pytest.mark.parametrize("text,answers", [
    ("(a) 3 (b) 5", ["3", "5"]), ("a) 3\nb) 5", ["3", "5"]), ("1. 3\n2. 5\n3. 7", ["3", "5", "7"]),
    ("(i) 3 (ii) 5", ["3", "5"]), ("Part 1: 3\nPart 2: 5", ["3", "5"]), (r"\boxed{3}, \boxed{5}", ["3", "5"]),
    ("**(a)** $3$; **(b)** $5$.", ["3", "5"]), (["3", "5"], ["3", "5"]), ({"a": "3", "b": "5"}, ["3", "5"]),
    (r"\frac{1}{2}", [r"\frac{1}{2}"]),
])
def test_reference_parts(text, answers):
    assert reference_parts(text) == answers


def test_label_runs_ignore_references_inside_reasoning():
    parts = labelled_parts("Restating: (a) find x (b) find y. Work: ... **(a)** 7 **(b)** 9")
    assert [t.strip() for _, t in parts] == ["7", "9"]
    assert labelled_parts("f(a) = 2 and g(b) = 3") == []


def test_predicted_parts_forms():
    assert predicted_parts(r"(a) so \boxed{3}. (b) hence \boxed{5}.", 2) == {1: ["3"], 2: ["5"]}
    assert predicted_parts(r"\boxed{3} \boxed{5}", 2) == {1: ["3"], 2: ["5"]}
    assert predicted_parts(r"\boxed{3, 5}", 2) == {1: ["3"], 2: ["5"]}
    assert predicted_parts(r"\boxed{3, 5}", 1) == {1: ["3, 5"]}


def test_partial_and_binary(rules):
    comp, ref = r"(a) \boxed{2\sqrt{3}} (b) \boxed{0.5} (c) \boxed{9}", r"(a) $\sqrt{12}$ (b) $\frac{1}{2}$ (c) 8"
    v = StructuredScorer(partial=True, math=rules).score(comp, ref)
    assert [p.equivalent for p in v.parts] == [True, True, False] and v.score == pytest.approx(2 / 3)
    assert [p.index for p in v.parts] == [0, 1, 2] and v.parts[0].reference == r"\sqrt{12}"
    assert StructuredScorer(partial=False, math=rules).score(comp, ref).score == 0.0


def test_missing_parts_zero_extra_ignored(rules):
    s = StructuredScorer(math=rules)
    v = s.score("(a) 1", ["1", "2", "3"])  # a single label is no structure: the whole text is part 1
    assert [(p.method, p.equivalent) for p in v.parts][1:] == [("missing", False), ("missing", False)]
    assert s.score("(a) 1 (b) 2 (c) 3 (d) 4", ["1", "2"]).score == 1.0


def test_order_fallback_and_label_alignment(rules):
    s = StructuredScorer(math=rules)
    assert s.score(r"\boxed{1} then \boxed{2}", "(a) 1 (b) 2").score == 1.0
    assert s.score("(b) 2 (a) 1", "(a) 1 (b) 2").score < 1.0  # out-of-order labels are not a run


def test_hacks_inside_parts(rules):
    s = StructuredScorer(math=rules, judge=FixedJudge('{"equivalent": true}'))
    v = s.score(r"(a) \boxed{1} \boxed{2} (b) x=1 or x=2 or x=3", ["1", "2"])
    assert [p.method for p in v.parts] == ["anti-hacking", "anti-hacking"] and v.score == 0.0
    assert s.judge.prompts == []


def test_judge_decides_only_undecided_parts(rules):
    judge = FixedJudge('{"equivalent": true, "reason": "same"}')
    v = StructuredScorer(math=rules, judge=judge, judge_kw={"temperature": 0.0}).score(
        "(a) the city of Paris (b) 4", ["Paris", "5"], question="Which city? How many?")
    assert (v.parts[0].equivalent, v.parts[0].method) == (True, "judge")
    assert v.parts[1].equivalent is False and v.parts[1].method != "judge"  # 4 vs 5 is decided by the rules
    assert len(judge.prompts) == 1 and "Which city?" in judge.prompts[0] and judge.kw == {"temperature": 0.0}


@pytest.mark.parametrize("reply", ["", "yes!", "{not json}", None, 42, '{"equivalent": "perhaps"}'])
def test_unparsable_judge_reply_is_not_equivalent(rules, reply):
    v = StructuredScorer(math=rules, judge=FixedJudge(reply)).score("(a) the city of Paris (b) 5", ["Paris", "5"])
    assert v.parts[0].equivalent is False and v.parts[0].method == "judge" and "unparsable" in v.parts[0].reason


def test_judge_wrong_shape_or_raising(rules):
    class Short:
        def generate(self, prompts, n=1, **kw): return []
    class Raises:
        def generate(self, prompts, n=1, **kw): raise TimeoutError("slow")
    for j in (Short(), Raises()):
        v = StructuredScorer(math=rules, judge=j).score("(a) the city of Paris (b) 5", ["Paris", "5"])
        assert v.parts[0].reason.startswith("judge failed") and v.score == 0.5


def test_parse_judge_reply():
    assert parse_judge_reply('```json\n{"equivalent": false, "reason": "off by one"}\n```') == (False, "judge: off by one")
    assert parse_judge_reply('equivalent: TRUE')[0] is True


def test_reward_signature_logging_pickle():
    logged = {}
    r = StructuredReward(gold_column="parts", partial=True, n_workers=2, timeout_s=10.0)
    out = r(prompts=["q"] * 4, completions=["(a) 1 (b) 2", "(a) 1 (b) 3", [{"role": "assistant", "content": r"\boxed{1}"}], b"\xff"],
            parts=[["1", "2"]] * 4, log_metric=lambda k, v: logged.__setitem__(k, v), trainer_state=None)
    assert out == [1.0, 0.5, 0.5, 0.0]
    assert logged["rewards/structured/part_1/accuracy"] == 0.75 and logged["rewards/structured/part_2/accuracy"] == 0.25
    assert logged["rewards/structured/missing_parts"] == 3.0
    binary = pickle.loads(pickle.dumps(StructuredReward(gold_column="parts", partial=False, n_workers=1)))
    assert binary(["q"], ["(a) 1 (b) 3"], parts=[["1", "2"]]) == [0.0]
    assert binary(["q"], ["(a) 1 (b) 2"]) == [0.0]  # no gold column: 0, no exception


@pytest.mark.parametrize("completion", ["(a) 1 (b) 2 " * 90_000, "{" * 1_000_000, r"(a) \boxed{" + r"\frac{" * 500 + "}" * 500,
                                        "1. " * 300_000, "1. " * 33_000 + "(a) 1 (b) 2", b"\xff(a) 1 (b) 2", None])
def test_adversarial_structured_finishes(rules, completion):
    import time
    t0 = time.monotonic()
    v = StructuredScorer(math=rules).score(completion, ["1", "2"])
    assert time.monotonic() - t0 < 5.0 and 0.0 <= v.score <= 1.0
