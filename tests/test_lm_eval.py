"""lm-evaluation-harness through reasonlab.eval.lm_eval_records: a task config over a local file, a tiny real model."""
import json
import pytest
lm_eval = pytest.importorskip("lm_eval", reason="the [eval] extra is not installed")
from reasonlab.eval import lm_eval_records
from reasonlab.models import TinyModelSpec, build_tiny_model, train_tokenizer


def test_harness_task_gives_one_record_per_item(tmp_path):
    rows = [{"question": f"{a}+{b}=", "answer": str(a + b)} for a, b in [(1, 2), (3, 4), (5, 6), (2, 2), (7, 1)]]
    data = tmp_path/"sums.jsonl"; data.write_text("\n".join(json.dumps(r) for r in rows))
    tok = train_tokenizer([r["question"] + r["answer"] for r in rows] * 4, 200)
    model = build_tiny_model(TinyModelSpec(hidden_size=32, intermediate_size=64, num_hidden_layers=1), tok)
    task = {"task": "tiny_sums", "dataset_path": "json", "dataset_kwargs": {"data_files": {"test": str(data)}},
            "test_split": "test", "output_type": "generate_until", "doc_to_text": "{{question}}", "doc_to_target": "{{answer}}",
            "generation_kwargs": {"until": ["\n"], "max_gen_toks": 4, "do_sample": False},
            "metric_list": [{"metric": "exact_match", "aggregation": "mean", "higher_is_better": True}]}
    out = lm_eval_records(model, tok, [task], limit=4)
    assert sorted(r["item"] for r in out["records"]) == [0, 1, 2, 3]
    assert all(r["task"] == "tiny_sums" and r["exact_match"] in (0.0, 1.0) for r in out["records"])
    mean = sum(r["exact_match"] for r in out["records"]) / 4
    assert out["means"]["tiny_sums"]["exact_match"] == pytest.approx(mean)
