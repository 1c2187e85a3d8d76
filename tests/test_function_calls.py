"""Function-call parsing, BFCL-style checking, the reward and the synthetic task family."""
import json
import os
import pickle
import secrets
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from reasonlab.function_call_tasks import call_key, make_function_call_tasks, split_of
from reasonlab.rewards.function_calls import (CallParseError, FunctionCallReward, calls_correct, check_calls,
                                              parse_calls)

WEATHER = {"name": "get_weather", "parameters": {"type": "dict", "required": ["city"], "properties": {
    "city": {"type": "string"}, "unit": {"type": "string"}, "days": {"type": "float"},
    "tags": {"type": "array", "items": {"type": "string"}}, "opts": {"type": "dict"}}}}
GOLD = [{"name": "get_weather", "arguments": {"city": ["New York", "NYC"], "unit": ["", "celsius"], "days": ["", 3.0],
                                              "tags": ["", ["Rain", "wind"]], "opts": ["", {"detail": ["full"], "lang": ["", "en"]}]}}]


@pytest.mark.parametrize("output, error_type", [
    ('get_weather(city="new york")', ""),                               # loose string comparison
    ('get_weather(city="NYC", unit="celsius", days=3)', ""),            # int accepted for float
    ('get_weather(city="New-York", tags=["rain", "WIND"])', ""),        # nested list, elementwise
    ('get_weather(city="NYC", opts={"detail": "Full"})', ""),           # dict with an optional key left out
    ('{"name": "get_weather", "arguments": {"city": "NYC"}}', ""),      # JSON-like call
    ('get_weather(unit="celsius")', "missing_required:city"),
    ('get_weather(city="Boston")', "value_mismatch:city"),
    ('get_weather(city="NYC", days="3")', "type_error:days"),
    ('get_weather(city="NYC", days=True)', "type_error:days"),          # bool is not a number
    ('get_weather(city="NYC", tags=["wind", "rain"])', "value_mismatch:tags"),
    ('get_weather(city="NYC", opts={"detail": "full", "x": 1})', "value_mismatch:opts"),
    ('get_weather(city="NYC", hourly=True)', "unexpected_param:hourly"),
    ('get_forecast(city="NYC")', "wrong_func_name"),
    ('[get_weather(city="NYC"), get_weather(city="NYC")]', "unexpected_call:get_weather"),
    ("get_weather(city=NYC)", "parse_error"),
    ("get_weather(city=str('NYC'))", "parse_error"),
])
def test_bfcl_semantics(output, error_type):
    bad = [v.error_type for v in check_calls(output, GOLD, [WEATHER]) if not v.valid]
    assert (bad[0] if bad else "") == error_type


def test_model_output_is_never_executed():
    marker = Path(tempfile.gettempdir()) / f"reasonlab-fc-probe-{secrets.token_hex(6)}"
    for text in (f"__import__('os').system('touch {marker}')", f"[f(x=__import__('os').system('touch {marker}'))]",
                 f"f(x=(lambda: __import__('os').system('touch {marker}'))())",
                 f'{{"name": "f", "arguments": {{"x": __import__("os").system("touch {marker}")}}}}'):
        with pytest.raises(CallParseError):
            parse_calls(text)
        assert FunctionCallReward()(["p"], [text], gold_calls=[[{"name": "f", "arguments": {"x": [0]}}]]) == [0.0]
    assert not marker.exists()


def test_parallel_calls_match_in_any_order():
    gold = [{"name": "f", "arguments": {"a": [1, 2]}}, {"name": "f", "arguments": {"a": [1]}}, {"name": "g", "arguments": {}}]
    assert calls_correct("[g(), f(a=2), f(a=1)]", gold) and calls_correct("[f(a=1), g(), f(a=2)]", gold)
    assert calls_correct("[f(a=1), f(a=1), g()]", gold)  # a=1 is acceptable for both
    assert not calls_correct("[f(a=2), f(a=2), g()]", gold)


def test_reward_never_raises_on_garbage():
    reward, logged = FunctionCallReward(), {}
    comps = [None, 3, [{"role": "assistant", "content": None}], "f(" * 10_000, "[" * 100_000, "f(a=1)", {"x": 1}]
    golds = [None, "{", 5, [], [{"bad": 1, "worse": 2}], [{"name": "f", "arguments": {"a": [1]}}], [{"f": {}}]]
    out = reward(["p"] * len(comps), comps, gold_calls=golds, functions=["not json"] * 5 + [None, None],
                 log_metric=lambda k, v: logged.__setitem__(k, v))
    assert out == [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0] and logged["function_calls/bad_input"] >= 4
    assert pickle.loads(pickle.dumps(reward))(["p"], ["f(a=1)"], gold_calls=[golds[5]]) == [1.0]


def test_task_splits_share_no_gold_call_and_answers_pass():
    def keys(ds): return {call_key(g["name"], g["arguments"]) for s in ds["gold_calls"] for g in json.loads(s)}
    train, test = make_function_call_tasks(400, "train", seed=1), make_function_call_tasks(150, "test", seed=1)
    assert keys(train).isdisjoint(keys(test)) and set(train["prompt"]).isdisjoint(test["prompt"])
    assert {split_of(k) for k in keys(test)} == {"test"} and {split_of(k) for k in keys(train)} == {"train"}
    assert set(test["kind"]) == {"single", "multiple", "parallel"}
    reward = FunctionCallReward()
    assert reward(test["prompt"], test["answer"], gold_calls=test["gold_calls"], functions=test["functions"]) == [1.0] * len(test)
    wrong = [a.replace("(", "_v2(", 1) for a in test["answer"]]  # call a function that is not offered
    assert reward(test["prompt"], wrong, gold_calls=test["gold_calls"], functions=test["functions"]) == [0.0] * len(test)
