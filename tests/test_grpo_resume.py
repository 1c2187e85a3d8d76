"A GRPO run (with PTS+ABS) killed mid-way resumes from its last checkpoint and ends exactly like an unbroken run."
import json, subprocess, sys
from pathlib import Path

RUN = Path(__file__).with_name("grpo_run.py")


def _run(out, *extra):
    return subprocess.run([sys.executable, str(RUN), str(out), "6", *extra], capture_output=True, text=True, timeout=600)


def _train_rows(result):
    return [{k: v for k, v in h.items() if k in ("step", "reward", "loss", "batch/zero_adv_share", "batch/mean_abs_adv")}
            for h in result["log_history"] if "loss" in h]


def test_killed_run_resumes_to_same_metrics(tmp_path):
    full = _run(tmp_path/"full")
    assert full.returncode == 0, full.stderr[-3000:]
    killed = _run(tmp_path/"broken", "--kill-at", "5")
    assert killed.returncode == -9, killed.stderr[-3000:]  # really killed, after checkpoint-4
    assert (tmp_path/"broken"/"checkpoint-4").exists() and not (tmp_path/"broken"/"result.json").exists()
    resumed = _run(tmp_path/"broken", "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    a = json.loads((tmp_path/"full"/"result.json").read_text())
    b = json.loads((tmp_path/"broken"/"result.json").read_text())
    rows_a, rows_b = _train_rows(a), _train_rows(b)
    assert [r["step"] for r in rows_a] == [1, 2, 3, 4, 5, 6]
    assert rows_b == rows_a  # steps 1-4 restored from checkpoint-4, steps 5-6 retrained identically
    assert any("reward" in r for r in rows_b[4:])
    assert any(r["loss"] != 0 for r in rows_a)  # the run really trained
    assert b["param_sums"] == a["param_sums"]
