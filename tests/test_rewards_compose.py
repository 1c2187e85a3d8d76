"Composed rewards: format, weighted sums, gates (Posterior-GRPO), logging, never raising, pickling."
import pickle

import pytest

from reasonlab.rewards.compose import (ComposedReward, FormatReward, OnSection, Term, gated, outcome_gated_reward,
                                       tag_sections, weighted_sum)
from reasonlab.rewards.math import MathAccuracyReward


def outcome(prompts=None, completions=None, answer=None, **kw):
    return [float(str(c).strip().endswith(a)) for c, a in zip(completions, answer)]


def process(prompts=None, completions=None, **kw):
    return [0.9 if "carefully" in str(c) else 0.1 for c in completions]


def raises(prompts=None, completions=None, **kw):
    raise ZeroDivisionError


@pytest.mark.parametrize("text,ok", [
    ("<think>x</think><answer>1</answer>", True), ("  <think>x</think>\n\n<answer>1</answer>\n", True),
    ("<answer>1</answer><think>x</think>", False), ("<think></think><answer>1</answer>", False),
    ("<think>x</think><answer>1</answer>tail", False), ("<think>x<think>y</think><answer>1</answer>", False),
    ("", False), ("<think>x</think>", False),
])
def test_format(text, ok):
    assert FormatReward()(None, [text]) == [float(ok)]


def test_tag_sections():
    assert tag_sections("<think> a </think> <answer> 4 </answer>") == {"think": "a", "answer": "4", "rest": ""}


def test_posterior_gate_vs_plain_sum():
    comps = ["<think>carefully</think> 4", "<think>carefully</think> 5", "<think>x</think> 5"]
    fmt = FormatReward(answer_tag=None)
    gated_r = outcome_gated_reward(fmt, outcome, process)(None, comps, answer=["4"] * 3)
    plain = weighted_sum(f=(fmt, 1.0), o=(outcome, 1.0), p=(process, 1.0))(None, comps, answer=["4"] * 3)
    assert gated_r == pytest.approx([2.9, 1.0, 1.0])
    assert plain == pytest.approx([2.9, 1.9, 1.1])  # the hackable ablation pays process score to wrong answers


def test_component_failures_counted_and_logged():
    logged = {}
    r = ComposedReward({"o": outcome, "bad": raises, "len": lambda **kw: [1.0]}, [Term("o", 2.0), Term("bad"), Term("len")])
    out = r(prompts=["p", "p"], completions=["4", "3"], answer=["4", "4"], log_metric=lambda k, v: logged.__setitem__(k, v))
    assert out == [2.0, 0.0]
    assert logged["rewards/o/mean"] == 0.5 and logged["rewards/bad/failed"] == 2.0 and logged["rewards/len/failed"] == 2.0
    assert logged["rewards/composed/mean"] == 1.0


def test_gated_threshold_and_unknown_names():
    assert gated(outcome, process, threshold=0.5)(None, ["4", "5"], answer=["4", "4"]) == pytest.approx([0.1, 0.0])
    with pytest.raises(ValueError, match="unknown components"):
        ComposedReward({"o": outcome}, [Term("o", gate="missing")])


def test_with_math_reward_on_answer_section_pickles():
    r = outcome_gated_reward(FormatReward(), OnSection(MathAccuracyReward(n_workers=1, timeout_s=10.0)), process)
    r = pickle.loads(pickle.dumps(r))
    comps = [r"<think>carefully; maybe \boxed{3}</think><answer>\boxed{4}</answer>", r"<think>x</think><answer>\boxed{3}</answer>", None]
    assert r(prompts=["q"] * 3, completions=comps, answer=["4"] * 3) == pytest.approx([2.9, 1.0, 0.0])
