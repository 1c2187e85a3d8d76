"""The distributed path on CPU, 2 processes (gloo) through `accelerate launch` with configs/accelerate/cpu2.yaml:
GRPO with every registered advantage estimator and batch selector, SFT and DPO each equal a 1-process run with the
same global batch (where the maths allows; Shuffle-R1's ABS draws per process, stated and checked); the ranks stay
in sync, only the main process writes, and a 2-process run resumes from its checkpoint."""
import json, math, subprocess, sys
import pytest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def launch(out: Path, *args, script: str = "grpo_run.py") -> subprocess.CompletedProcess:
    import socket
    with socket.socket() as s: s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]  # a free port: other launches may run beside this one (pytest -n 2)
    cmd = [str(Path(sys.executable).absolute().parent/"accelerate"), "launch", "--config_file", str(ROOT/"configs"/"accelerate"/"cpu2.yaml"),
           "--main_process_port", str(port), str(ROOT/"tests"/script), str(out), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=ROOT)


def test_two_processes_train_in_sync_and_resume(tmp_path):
    out = tmp_path/"run"
    r = launch(out, 4)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((out/"result.json").read_text())
    assert res["num_processes"] == 2
    ranks = [json.loads((out/f"params-rank{i}.json").read_text()) for i in (0, 1)]
    assert ranks[0] == ranks[1]  # the gradient all-reduce kept both copies identical
    steps = [h["step"] for h in res["log_history"] if "loss" in h]
    assert steps == [1, 2, 3, 4]
    trained = [h["batch/trained_rollouts"] for h in res["log_history"] if "batch/trained_rollouts" in h]
    assert trained and all(t == 32 for t in trained)  # PTS keeps half of the 64 rollouts (each process's whole groups; counted over both)
    assert (out/"checkpoint-4").exists()
    r = launch(out, 6, "--resume")  # picks up checkpoint-4 on both processes
    assert r.returncode == 0, r.stderr[-3000:]
    res2 = json.loads((out/"result.json").read_text())
    assert [h["step"] for h in res2["log_history"] if "loss" in h][-2:] == [5, 6]
    assert json.loads((out/"params-rank0.json").read_text()) == json.loads((out/"params-rank1.json").read_text())


def test_sft_and_dpo_on_two_processes_equal_one_process_with_the_same_global_batch(tmp_path):
    """SFT and DPO are deterministic given the data order: with the same seed and global batch (16 rows on one
    process, 8 + 8 on two), each step sees the same 16 rows, the loss is normalised over the whole global batch, and
    the all-reduced gradient is the single process's — so losses and weights agree to float32 rounding."""
    one = subprocess.run([sys.executable, str(ROOT/"tests"/"recipe_run.py"), str(tmp_path/"one"), "6", "16", "sft,dpo"],
                         capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert one.returncode == 0, one.stderr[-3000:]
    two = launch(tmp_path/"two", 6, "16", "sft,dpo", script="recipe_run.py")
    assert two.returncode == 0, two.stderr[-3000:]
    for recipe in ("sft", "dpo"):
        a, b = (json.loads((tmp_path/d/recipe/"result.json").read_text()) for d in ("one", "two"))
        assert (a["num_processes"], b["num_processes"]) == (1, 2)
        assert len(a["losses"]) == len(b["losses"]) == 6
        for x, y in zip(a["losses"], b["losses"]): assert abs(x - y) <= 1e-5 * abs(x), (recipe, a["losses"], b["losses"])  # measured (SFT): ≤ 1e-7
        for k, x in a["param_sums"].items(): assert abs(x - b["param_sums"][k]) <= 1e-5 * max(1.0, abs(x)), (recipe, k, x, b["param_sums"][k])  # measured (SFT): ≤ 2e-7


def test_grpo_with_every_estimator_and_selector_on_two_processes(tmp_path):
    """Every registered advantage estimator and every batch selector, 1 process vs 2 with the same global batch (32 rollouts),
    rollouts sampled with per-row seeds (tests/grpo_ranks_run.py) so both runs see the same completions.
    'all' and 'pts' choose inside groups, which each process holds whole: every logged metric (rewards, advantage
    diagnostics of the whole batch, loss, grad norm, entropy) and the weights agree to float32 rounding.
    'pts_abs' draws each process's updates from its own pairs (stated and measured in the Shuffle-R1 notebook):
    the same generation batch, the same number of trained rollouts, processes in sync, different updates."""
    one = subprocess.run([sys.executable, str(ROOT/"tests"/"grpo_ranks_run.py"), str(tmp_path/"one")],
                         capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert one.returncode == 0, one.stderr[-3000:]
    two = launch(tmp_path/"two", script="grpo_ranks_run.py")
    assert two.returncode == 0, two.stderr[-3000:]
    a, b = (json.loads((tmp_path/d/"result.json").read_text()) for d in ("one", "two"))
    assert (a["num_processes"], b["num_processes"]) == (1, 2)
    from reasonlab.algos import ADVANTAGE_ESTIMATORS, BATCH_SELECTORS, load_paper_modules
    load_paper_modules()
    ran = {tuple(k.split("/")) for k in a["runs"]}
    assert set(a["runs"]) == set(b["runs"]) and {e for e, _ in ran} == set(ADVANTAGE_ESTIMATORS) and {s for _, s in ran} == set(BATCH_SELECTORS)
    timing = {"step_time", "train_runtime", "train_samples_per_second", "train_steps_per_second"}
    for name, run in a["runs"].items():
        other = b["runs"][name]
        est, sel = name.split("/")
        ranks = [json.loads((tmp_path/"two"/f"{est}-{sel}"/f"params-rank{i}.json").read_text()) for i in (0, 1)]
        assert ranks[0] == ranks[1], name  # the gradient all-reduce kept both copies identical
        assert len(run["logs"]) == len(other["logs"]) > 0, name
        gen = [(x, y) for x, y in zip(run["logs"], other["logs"]) if "reward" in x]
        assert [x["batch/trained_rollouts"] for x, _ in gen] == [y["batch/trained_rollouts"] for _, y in gen], name  # global counts
        if sel == "pts_abs":
            x, y = gen[0]  # the first generation batch is the same on 1 and 2 processes; the draws from it are not
            for k in ("reward", "batch/generated_rollouts", "batch/zero_adv_share", "batch/mean_abs_adv"):
                assert abs(x[k] - y[k]) <= 1e-6 * max(1.0, abs(x[k])), (name, k)
            assert any(abs(x["loss"] - y["loss"]) > 1e-3 for x, y in zip(run["logs"], other["logs"])), name
            continue
        for x, y in zip(run["logs"], other["logs"]):  # measured: ≤ 1e-7 relative (loss ≈ 0 for 'all': ≤ 1e-8 absolute)
            for k in set(x) - timing:
                assert abs(x[k] - y[k]) <= 1e-5 * max(1.0, abs(x[k])), (name, k, x[k], y[k])
        for k, x in run["param_sums"].items():  # measured: ≤ 3e-6 relative after 2 Adam steps
            assert abs(x - other["param_sums"][k]) <= 3e-5 * max(1.0, abs(x)), (name, k, x, other["param_sums"][k])


def test_cooper_co_training_step_on_two_processes(tmp_path):
    """Cooper's reward-model step inside the reward call (tests/cooper_ranks_run.py), 3 batches of 16 prompts × 2
    rollouts: on 2 processes the pair loss is normalised by the pairs of all processes and the gradients are
    summed, so the scores the policy gets and the reward model equal a 1-process run; a process whose corrupter
    fails on every call joins the step with no pairs (errors counted) instead of leaving the other one waiting."""
    one = subprocess.run([sys.executable, str(ROOT/"tests"/"cooper_ranks_run.py"), str(tmp_path/"one")],
                         capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert one.returncode == 0, one.stderr[-3000:]
    a = json.loads((tmp_path/"one"/"normal"/"rank0.json").read_text())
    assert [u["valid"] for u in a["updates"]] == [11, 11, 11]  # 16 prompts, 5 with no right rollout: masked
    r = launch(tmp_path/"two", script="cooper_ranks_run.py")  # the normal run, then one where process 1's corrupter fails
    assert r.returncode == 0, r.stderr[-3000:]
    for case in ("normal", "failing"):
        r0, r1 = (json.loads((tmp_path/"two"/case/f"rank{i}.json").read_text()) for i in (0, 1))
        assert r0["num_processes"] == r1["num_processes"] == 2
        assert r0["params"] == r1["params"], case  # both copies of the reward model took the same step
        if case == "failing":
            assert all(u["valid"] == 0 and u["corrupt_errors"] > 0 for u in r1["updates"])
            assert all(u["valid"] > 0 and math.isfinite(u["loss"]) for u in r0["updates"])
            assert r0["params"] != a["params"]  # rank 0's pairs still trained it (differently from 1 process)
            continue
        for t in range(3):  # per step: the processes' local losses add up to the 1-process loss
            assert r0["updates"][t]["valid"] + r1["updates"][t]["valid"] == a["updates"][t]["valid"]
            assert abs(r0["updates"][t]["loss"] + r1["updates"][t]["loss"] - a["updates"][t]["loss"]) <= 1e-5
        for s, x, y in zip(a["scores"], r0["scores"], r1["scores"]):  # measured: ≤ 2e-6
            assert max(abs(u - v) for u, v in zip(s, x + y)) <= 1e-5
        for k, x in a["params"].items():  # measured: ≤ 6e-5 relative (Adam rescales rounding in near-zero gradients)
            assert abs(x - r0["params"][k]) <= 5e-4 * max(1.0, abs(x)), (k, x, r0["params"][k])
