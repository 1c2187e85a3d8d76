"""Property-based tests (hypothesis) of the rewards and verifiers that tests/test_reward_fuzz.py does not reach: the
function-call reward, the sandboxed code-test reward, and the papers' rewards — Posterior-GRPO (memoised code tests,
the process reward model, the three arms), Cooper (rule, static and co-trained reward models) and Factuality (its
three arms on the committed knowledge base). Completions are the suite's `HOSTILE` text (control and format
characters, lone surrogates, huge nested LaTeX, huge numbers, prompt injection), the same text in chat form, values
that are not text at all, and hostile text poured into each reward's own answer format so that it gets past the parser.

Properties: a reward never raises; returns one finite float per completion within its documented range; is
deterministic; and a wrong answer gains no credit from hostile text around it. Cooper's co-trained reward model
changes at every call, so there only the scores' range and the model's finiteness are checked.

The hypothesis profile (seeded, small) is the one test_reward_fuzz.py loads; the sandbox and reward-model tests run
fewer examples each (`_n`), scaled up with `HYPOTHESIS_PROFILE=long`."""
import math
import re
import tempfile
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings, strategies as st

from test_reward_fuzz import HOSTILE  # also loads the suite's hypothesis profile: import it before any `settings(...)`
from test_sandbox import _my_children
from test_posterior_grpo import SMALL
from test_cooper import POS, Q
from test_factuality import judge as fresh_judge

from reasonlab.function_call_tasks import make_function_call_tasks
from reasonlab.generation import CallableGenerator
from reasonlab.models import train_tokenizer
from reasonlab.rewards.compose import FormatReward
from reasonlab.rewards.registry import make_reward
from reasonlab.rewards.reward_model import tiny_reward_model
from reasonlab.papers.posterior_grpo import make_programs, MemoCodeTestReward, process_reward, arm_reward
from reasonlab.papers.cooper import CooperReward, answer_rewrite
from reasonlab.papers.factuality import (load_kb, question, sentence, answer_section, FactualityScorer,
                                         SentenceClaimExtractor, KBVerifier, factuality_reward, GIVEN)

_SCALE = max(1, settings.default.max_examples // 40)  # 1 in the "ci" profile, 50 in "long"


def _n(k: int) -> settings:
    "At most k·scale examples (the sandbox runs a process per program, the reward models a forward pass per batch)."
    return settings(max_examples=k * _SCALE, deadline=None)


def mix(*strategies):
    "One of `strategies`, each equally likely (st.one_of flattens nested one_of's, so HOSTILE's branches would swamp the rest)."
    return st.sampled_from(strategies).flatmap(lambda s: s)


def shaped(*templates: str, **fixed):
    "Hostile text `h`, `h2` (and `fixed` values) poured into a reward's answer formats (str.format never parses what it inserts)."
    return st.builds(lambda tpl, h, h2: tpl.format(h=h, h2=h2, **fixed), st.sampled_from(templates), HOSTILE, HOSTILE)


CHAT = st.builds(lambda t: [{"role": "assistant", "content": t}], HOSTILE)  # TRL's conversational completions
NOT_TEXT = st.sampled_from([None, 3, 2.5, [], {"x": 1}, [{"role": "assistant", "content": None}], [{"role": "assistant"}]])
ANY = mix(HOSTILE, CHAT, NOT_TEXT)
# hostile text with no digit and no '#': what may follow a '#### n' answer line without changing what it says
NO_NUMBER = HOSTILE.map(lambda t: "".join(ch for ch in t if ch != "#" and not ch.isdigit()))


def hostile_think(text: str):
    "`text` with hostile text at the start of its <think> section, and now and then after its end."
    return st.builds(lambda h, tail, h2: text.replace("<think>", f"<think>{h} ", 1) + (h2 if tail else ""),
                     HOSTILE, st.booleans(), HOSTILE)


def assert_scores(scores, n: int, lo: float, hi) -> None:
    "One finite float per completion, each in [lo, hi] (`hi` may be a list of per-completion bounds)."
    his = hi if isinstance(hi, list) else [hi] * n
    assert isinstance(scores, list) and len(scores) == n, scores
    assert all(isinstance(x, float) and math.isfinite(x) and lo <= x <= h for x, h in zip(scores, his)), (scores, his)


def _text(c) -> str:
    "The visible text of a completion for bounds (library-independent): a string, or a chat message's content."
    if isinstance(c, str): return c
    if isinstance(c, list) and c and isinstance(c[-1], dict) and isinstance(c[-1].get("content"), str): return c[-1]["content"]
    return ""


@pytest.fixture(scope="module", autouse=True)
def no_sandbox_left_behind():
    "The sandbox starts a process per program and no pool: at module end none may be left, nor a working directory."
    before = set(Path(tempfile.gettempdir()).glob("reasonlab-sandbox-*"))
    yield
    assert _my_children() == []
    assert set(Path(tempfile.gettempdir()).glob("reasonlab-sandbox-*")) <= before


@pytest.fixture(scope="module")
def programs():
    "Held-out program items of Posterior-GRPO (prompt, tests, the reference completion)."
    return make_programs(4, "test")


@pytest.fixture(scope="module")
def tok():
    "A tiny tokenizer for the reward models, as tests/test_posterior_grpo.py builds it (plus Cooper's texts)."
    return train_tokenizer(list(make_programs(100, "train")["completion"]) + [POS, Q], 300)


# --- function calls -----------------------------------------------------------------------------------------------

FC = make_reward("function_call")


def call_text_of(row):
    "Completions for a task row: anything, hostile text in the call formats, the row's right call with hostile text around."
    name = row["answer"].lstrip("[").split("(", 1)[0]
    return mix(ANY, shaped("<tool_call>{h}</tool_call>", "<tool_call>{h}</tool_call><tool_call>{h2}</tool_call>",
                           "```python\n{h}\n```", "<think>{h}</think><answer>{h2}</answer>", "[f(a={h!r})]",
                           name + "(minutes={h!r}, label={h2!r})", '{{"name": {h!r}, "arguments": {{"a": {h2!r}}}}}'),
               shaped("<think>{h}</think>{call}", "{h}<tool_call>{call}</tool_call>{h2}", "{h}```python\n{call}\n```{h2}",
                      "{call}{h}", "{h}{call}", "<think>{h}</think><answer>{call}</answer>", call=row["answer"]))


@pytest.fixture(scope="module")
def calls():
    "Function-call task rows (gold_calls, functions, answer); each row's answer is wrong for the next row's gold."
    rows = list(make_function_call_tasks(8, "test", seed=1))
    for i, r in enumerate(rows):
        assert FC(["p"], [r["answer"]], gold_calls=[r["gold_calls"]], functions=[r["functions"]]) == [1.0]
        nxt = rows[(i + 1) % len(rows)]
        assert FC(["p"], [r["answer"]], gold_calls=[nxt["gold_calls"]], functions=[nxt["functions"]]) == [0.0]
    return rows


@given(data=st.data(), i=st.integers(0, 7), columns=st.sampled_from(["row", "row", "row", "no schema", "hostile"]))
def test_function_call_reward_never_raises_and_scores_in_range(calls, data, i, columns):
    "Hostile completions (and now and then hostile gold and function columns): 0 or 1 each, the same twice."
    row = calls[i]
    batch = data.draw(st.lists(call_text_of(row), min_size=1, max_size=4), "batch")
    gold, functions = row["gold_calls"], (row["functions"] if columns == "row" else None)
    if columns == "hostile":
        gold, functions = data.draw(HOSTILE, "gold"), data.draw(st.one_of(st.none(), HOSTILE), "functions")
    n = len(batch)
    kw = dict(gold_calls=[gold] * n, functions=[functions] * n)
    scores = FC(["p"] * n, batch, **kw)
    assert_scores(scores, n, 0.0, 1.0)
    assert set(scores) <= {0.0, 1.0}
    assert scores == FC(["p"] * n, batch, **kw)


CALL_WRAPS = ["{before}{call}{after}", "<think>{before}</think>{call}", "{before}<tool_call>{call}</tool_call>{after}",
              "{before}```python\n{call}\n```{after}", "<think>{before}</think><answer>{call}</answer>{after}"]


@given(i=st.integers(0, 7), wrap=st.sampled_from(CALL_WRAPS), before=HOSTILE, after=HOSTILE)
def test_a_wrong_call_gains_nothing_from_hostile_text_around_it(calls, i, wrap, before, after):
    row, wrong = calls[i], calls[i - 1]["answer"]  # the previous row's right answer: a wrong call for this row
    kw = dict(gold_calls=[row["gold_calls"]], functions=[row["functions"]])
    assert FC(["p"], [wrap.format(before=before, call=wrong, after=after)], **kw) == [0.0]
    if "<" not in before and "`" not in before:  # control: the wrapper alone does not zero a right call
        assert FC(["p"], [f"<think>{before}</think>{row['answer']}"], **kw) == [1.0]


# --- code tests in the sandbox (and Posterior-GRPO's memoised version) ---------------------------------------------

CODE_SHAPES = shaped("```python\n{h}\n```", "<answer>{h}</answer>", "```python\ndef f(x):\n    return {h}\n```",
                     "<think>{h}</think><answer>```python\n{h2}\n```</answer>",
                     "```py\n{h}\n```\n```python\ndef f(x):\n    return x {h2}\n```")


def code_text_of(programs, k: int):
    "Completions for item k: anything, hostile code, and its right / one-test-right program with hostile text around it."
    right = programs["completion"][k]
    first = re.search(r"== (-?\d+)", programs["tests"][k][0])[1]  # f(x) = the first test's value passes that test only
    one_right = f"<think>guess</think><answer>```python\ndef f(x):\n    return {first}\n```</answer>"
    around = ("{h}{x}", "{x}{h}", "{h} {x} {h2}")
    return mix(ANY, CODE_SHAPES, shaped(*around, x=right), shaped(*around, x=one_right), hostile_think(right))


def _wrong_program(reference: str) -> str:  # as tests/test_posterior_grpo.py makes one
    "The reference completion with its function returning one more (fails every test: each expects the exact value)."
    wrong = reference.replace("\n```</answer>", " + 1\n```</answer>")
    assert wrong != reference
    return wrong


@pytest.fixture(scope="module")
def code_rewards():
    return {p: make_reward("code_tests", partial=p, workers=2) for p in (False, True)}


@pytest.mark.parametrize("partial", [False, True])
@_n(10)
@given(data=st.data(), k=st.integers(0, 3))
def test_code_test_reward_never_raises_and_scores_in_range(code_rewards, programs, partial, data, k):
    batch = data.draw(st.lists(code_text_of(programs, k), min_size=1, max_size=3), "batch")
    reward, n = code_rewards[partial], len(batch)
    kw = dict(tests=[programs["tests"][k]] * n)
    scores = reward(["p"] * n, batch, **kw)
    assert_scores(scores, n, 0.0, 1.0)
    if not partial: assert set(scores) <= {0.0, 1.0}
    assert scores == reward(["p"] * n, batch, **kw)


@pytest.mark.parametrize("partial", [False, True])
@_n(6)
@given(k=st.integers(0, 3), before=HOSTILE, after=HOSTILE)
def test_a_wrong_program_gains_nothing_from_hostile_text_around_it(code_rewards, programs, partial, k, before, after):
    wrong = _wrong_program(programs["completion"][k])
    assert code_rewards[partial](["p"], [before + wrong + after], tests=[programs["tests"][k]]) == [0.0]


@_n(8)
@given(data=st.data(), k=st.integers(0, 3))
def test_memo_code_test_reward_agrees_with_the_sandbox_and_with_itself(code_rewards, programs, data, k):
    "A remembered verdict is the one the sandbox gives: memo == plain CodeTestReward, and the same again from memory."
    batch = data.draw(st.lists(code_text_of(programs, k), min_size=1, max_size=3), "batch")
    memo, n = MemoCodeTestReward(workers=2), len(batch)
    kw = dict(tests=[programs["tests"][k]] * n)
    scores = memo(["p"] * n, batch, **kw)
    assert_scores(scores, n, 0.0, 1.0)
    assert set(scores) <= {0.0, 1.0}
    assert scores == code_rewards[False](["p"] * n, batch, **kw)
    assert memo(["p"] * n, batch, **kw) == scores


# --- Posterior-GRPO: the process reward and the three arms ---------------------------------------------------------

PROGRAM_SHAPES = shaped("<think>{h}</think><answer>```python\ndef f(x):\n    return {h2}\n```</answer>",
                        "<think>{h}</think><answer>{h2}</answer>", "<think>{h}</think>", "{h}<think>{h2}</think>")


def program_text_of(programs, k: int):
    "Completions for item k: anything, hostile text in the format, and its right and wrong programs with hostile reasoning."
    right, wrong = programs["completion"][k], _wrong_program(programs["completion"][k])
    return mix(ANY, PROGRAM_SHAPES, hostile_think(right), hostile_think(wrong))


ARMS = {"gated": 3.0, "sum": 3.0, "outcome": 2.0}  # R_fmt + R_out (+ R_proc) ≤ 1 + 1 (+ 1)


@pytest.fixture(scope="module")
def pgrpo(tok):
    "The arms' components as run_variant builds them, on a tiny process RM: format, memoised outcome, process."
    return {"fmt": FormatReward(), "outcome": MemoCodeTestReward(workers=2),
            "process": process_reward(tiny_reward_model(tok, SMALL, seed=0), tok)}


@_n(10)
@given(data=st.data(), k=st.integers(0, 3))
def test_process_reward_never_raises_and_scores_in_range(pgrpo, programs, data, k):
    "σ(logit) in [0, 1]; 0 for a completion without a <think> section (nothing to read)."
    batch = data.draw(st.lists(program_text_of(programs, k), min_size=1, max_size=4), "batch")
    proc, n = pgrpo["process"], len(batch)
    scores = proc(prompts=[programs["prompt"][k]] * n, completions=batch)
    assert_scores(scores, n, 0.0, 1.0)
    assert all(s == 0.0 for s, c in zip(scores, batch) if "<think>" not in _text(c))
    assert scores == proc(prompts=[programs["prompt"][k]] * n, completions=batch)


def test_process_reward_a_surrogate_in_one_problem_does_not_zero_the_other_rows(pgrpo, programs):
    proc, right = pgrpo["process"], programs["completion"][0]
    alone = proc(prompts=["q"], completions=[right], problem=[programs["prompt"][0]])
    both = proc(prompts=["q", "q"], completions=[right, right], problem=[programs["prompt"][0], "\ud800"])
    assert both[0] == pytest.approx(alone[0], abs=1e-5)


@pytest.mark.parametrize("variant", ARMS)
@_n(8)
@given(data=st.data(), k=st.integers(0, 3))
def test_posterior_grpo_arms_never_raise_and_add_up(pgrpo, programs, variant, data, k):
    "Each arm is in range, deterministic, and is its documented sum of the components (process gated on the outcome)."
    batch = data.draw(st.lists(program_text_of(programs, k), min_size=1, max_size=3), "batch")
    problem = data.draw(mix(st.just(programs["prompt"][k]), HOSTILE), "problem")  # what the RM reads (task_data's column)
    reward, n = arm_reward(variant, pgrpo["fmt"], pgrpo["outcome"], pgrpo["process"]), len(batch)
    kw = dict(prompts=[programs["prompt"][k]] * n, completions=batch, tests=[programs["tests"][k]] * n,
              problem=[problem] * n)
    scores = reward(**kw)
    assert_scores(scores, n, 0.0, ARMS[variant])
    assert scores == reward(**kw)
    f, o, p = (pgrpo[c](**kw) for c in ("fmt", "outcome", "process"))
    expected = [fi + oi + (pi if variant == "sum" or (variant == "gated" and oi == 1.0) else 0.0)
                for fi, oi, pi in zip(f, o, p)]
    assert scores == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("variant", ARMS)
@_n(6)
@given(k=st.integers(0, 3), think=HOSTILE, before=HOSTILE, after=HOSTILE, inside=st.booleans())
def test_a_failing_program_gets_no_process_credit_from_hostile_text(pgrpo, programs, variant, k, think, before, after, inside):
    "A program that fails its tests scores at most the format term (+ the process term only in the hackable 'sum' arm)."
    wrong = _wrong_program(programs["completion"][k])
    text = wrong.replace("<think>", f"<think>{think} ", 1) if inside else before + wrong + after
    kw = dict(prompts=[programs["prompt"][k]], completions=[text], tests=[programs["tests"][k]])
    score = arm_reward(variant, pgrpo["fmt"], pgrpo["outcome"], pgrpo["process"])(**kw)[0]
    assert pgrpo["outcome"](**kw) == [0.0]
    process = pgrpo["process"](**kw)[0] if variant == "sum" else 0.0
    assert score == pytest.approx(pgrpo["fmt"](**kw)[0] + process, abs=1e-9)


# --- Cooper: rule verifier, static reward model, co-trained reward model --------------------------------------------

COOPER_TEXT = mix(ANY, shaped("{h}\n#### 72", "#### {h}", "17+55: {h}, so 72\n#### {h2}", "{h}\n#### {h2}", "{h}{x}", "{x}{h}",
                              x=POS))
PROMPT = mix(st.just(Q), HOSTILE)
GOLD = mix(st.just("72"), st.integers(-5, 10_000).map(str), HOSTILE)


def _params(model) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.parameters()]


@pytest.fixture(scope="module")
def static(tok):
    model = tiny_reward_model(tok, SMALL, seed=2)
    return CooperReward(model, tok, mode="static"), _params(model)


@_n(10)
@given(batch=st.lists(COOPER_TEXT, min_size=1, max_size=4), prompt=PROMPT, gold=GOLD)
def test_cooper_rule_reward_never_raises_and_scores_in_range(batch, prompt, gold):
    reward, n = CooperReward(mode="rule"), len(batch)
    kw = dict(prompts=[prompt] * n, completions=batch, answer=[gold] * n)
    scores = reward(**kw)
    assert_scores(scores, n, 0.0, 1.0)
    assert set(scores) <= {0.0, 1.0}
    assert scores == reward(**kw)


@given(n=st.integers(0, 10_000), before=HOSTILE, after=NO_NUMBER, prompt=PROMPT)
def test_cooper_rule_a_wrong_answer_gains_nothing_from_hostile_text(n, before, after, prompt):
    wrong = f"so the answer is {n + 1}\n#### {n + 1}"
    assert CooperReward(mode="rule")(prompts=[prompt], completions=[before + wrong + after], answer=[str(n)]) == [0.0]


@_n(10)
@given(batch=st.lists(COOPER_TEXT, min_size=1, max_size=4), prompt=PROMPT, gold=GOLD)
def test_cooper_static_reward_never_raises_scores_in_range_and_never_trains(static, batch, prompt, gold):
    "σ(logit) in [0, 1], the same twice, no batch silently failed, and the static model is never updated."
    reward, before = static
    n, failed = len(batch), reward.failed
    kw = dict(prompts=[prompt] * n, completions=batch, answer=[gold] * n)
    scores = reward(**kw)
    assert_scores(scores, n, 0.0, 1.0)
    assert scores == reward(**kw)
    assert reward.failed == failed
    assert reward.updates == []
    assert all(torch.equal(a, b) for a, b in zip(before, reward.model.parameters()))


def test_cooper_a_surrogate_in_one_reference_does_not_zero_the_other_rows(static):
    reward, _ = static
    alone = reward(prompts=[Q], completions=[POS], answer=["72"])
    assert reward(prompts=[Q, Q], completions=[POS, POS], answer=["72", "\ud800"])[0] == pytest.approx(alone[0], abs=1e-5)


@pytest.fixture(scope="module")
def cooper(tok):
    "Cooper's co-trained reward model with the rule corrupter, at a high learning rate to stress the update."
    return CooperReward(tiny_reward_model(tok, SMALL, seed=1), tok, mode="cooper",
                        corrupter=CallableGenerator(answer_rewrite(0)), lr=1e-3)


@_n(4)
@given(batch=st.lists(COOPER_TEXT, min_size=1, max_size=3), prompt=PROMPT)
def test_cooper_co_trained_reward_stays_finite_under_hostile_batches(cooper, batch, prompt):
    "Each call scores then takes one reward-model step; with hostile rollouts beside a right one, both stay finite."
    n, steps, failed = len(batch) + 1, len(cooper.updates), cooper.failed
    scores = cooper(prompts=[prompt] * n, completions=[POS] + batch, answer=["72"] * n)  # POS: the prompt's first positive
    assert_scores(scores, n, 0.0, 1.0)
    assert len(cooper.updates) == steps + 1 and "update_errors" not in cooper.updates[-1], cooper.updates[-1]
    assert cooper.updates[-1]["valid"] >= 1  # the right rollout was paired with a rewrite: the step did train
    assert cooper.failed == failed
    assert all(torch.isfinite(p).all() for p in cooper.model.parameters())


# --- Factuality: precision | precision+detail | full ---------------------------------------------------------------

LAM, MU = 0.01, 0.1  # papers/factuality/full.yaml and tests/test_factuality.py


@pytest.fixture(scope="module")
def fact():
    "The committed KB, the rule claim pipeline and a person with the question about them (as tests/test_factuality.py)."
    kb = load_kb()
    e, f = next(iter(kb.entities.items()))
    return {"kb": kb, "scorer": FactualityScorer(SentenceClaimExtractor(), KBVerifier(kb)), "entity": e, "facts": f,
            "q": question(e, f), "given": " ".join(sentence(e, a, f[a]) for a in GIVEN)}


def _fact_text(fact):
    "Completions about the person: anything, hostile sentences, hostile values in the KB's templates, hostile text and facts."
    return mix(ANY, shaped("{h}.", "<think>{h}</think>{h2}.", "{e} was born in {h}.", "{e} lives in {h}. {given}", "{given} {h}",
                           "<think>{h}</think> {given}", "{h} {given}", "{given} {h}. {h2}.", e=fact["entity"],
                           given=fact["given"]))


@pytest.mark.parametrize("variant", ["precision", "precision+detail", "full"])
@settings(max_examples=max(settings.default.max_examples // 2, 1), deadline=None)
@given(data=st.data())
def test_factuality_rewards_never_raise_and_score_in_range(fact, variant, data):
    "−1 exactly on a format failure, else in [0, 1 + λ·log(1 + claims) + μ·relevance]; deterministic; no term failed."
    batch = data.draw(st.lists(_fact_text(fact), min_size=1, max_size=4), "batch")
    prompt = data.draw(st.sampled_from([fact["q"], fact["q"], None]), "prompt") or data.draw(HOSTILE, "hostile prompt")
    ref = data.draw(st.sampled_from(["", fact["given"], None]), "reference")
    if ref is None: ref = data.draw(HOSTILE, "hostile reference")
    judge = fresh_judge()
    reward, n = factuality_reward(variant, fact["scorer"], judge, LAM, MU), len(batch)
    kw = dict(prompts=[prompt] * n, completions=batch, reference=[ref] * n)
    scores = reward(**kw)
    detail, relevance = variant != "precision", variant == "full"  # n_supported ≤ claims ≤ full stops
    hi = [1.0 + (LAM * math.log1p(_text(c).count(".")) if detail else 0.0) + (MU if relevance else 0.0) for c in batch]
    assert_scores(scores, n, -1.0, hi)
    for s, c in zip(scores, batch):
        assert s == -1.0 if answer_section(c) is None else s >= 0.0, (c, s)
    assert scores == reward(**kw)
    assert all(term.failed == 0 for term in reward.components.values()) and judge.failed == 0


@pytest.mark.parametrize("variant", ["precision", "precision+detail", "full"])
@given(before=HOSTILE, after=HOSTILE)
def test_factuality_a_wrong_claim_gains_nothing_from_hostile_text(fact, variant, before, after):
    "A contradicted claim scores no more with hostile text around it than alone (precision 0, no detail, relevance ≤ 1)."
    e, f = fact["entity"], fact["facts"]
    wrong = sentence(e, "born", f["born"] + 1)
    reward = factuality_reward(variant, fact["scorer"], fresh_judge(), LAM, MU)
    bare = reward(prompts=[fact["q"]], completions=[wrong], reference=[""])[0]
    assert bare == (MU if variant == "full" else 0.0)  # precision 0/1, detail log(1 + 0), relevance: all on topic
    assert reward(prompts=[fact["q"]], completions=[before + wrong + after], reference=[""])[0] <= bare
