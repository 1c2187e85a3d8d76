"""A short GRPO run of a tiny random Qwen2 with PTS+ABS, used by test_grpo_resume.py and test_distributed.py
(run as a subprocess; under `accelerate launch` on several processes too).

usage: grpo_run.py OUT_DIR MAX_STEPS [--kill-at N] [--resume]"""
import json, os, signal, sys
from pathlib import Path
from transformers import TrainerCallback
from reasonlab.config import setup_run
from reasonlab.models import TinyModelSpec, build_tiny_model, train_tokenizer
from reasonlab.tasks import make_arithmetic
from reasonlab.trainers.grpo import grpo_config, make_grpo_trainer



class DigitShare:
    "Reward with variance on an untrained model: the share of digit characters in the completion."
    __name__ = "digit_share"
    def __call__(self, prompts, completions, **kw):
        return [sum(ch.isdigit() for ch in c) / max(1, len(c)) for c in completions]


class KillAt(TrainerCallback):
    "SIGKILL this process at the end of step N (after the checkpoint of an earlier step was saved)."
    def __init__(self, n): self.n = n
    def on_step_end(self, args, state, control, **kw):
        if state.global_step == self.n: os.kill(os.getpid(), signal.SIGKILL)


def main():
    out, max_steps = Path(sys.argv[1]), int(sys.argv[2])
    kill_at = int(sys.argv[sys.argv.index("--kill-at") + 1]) if "--kill-at" in sys.argv else None
    setup_run(0, 1)
    ds = make_arithmetic(64, "train").select_columns(["prompt", "answer"])
    tok = train_tokenizer(list(ds["prompt"]))
    model = build_tiny_model(TinyModelSpec(hidden_size=64, intermediate_size=128, num_hidden_layers=2), tok)
    args = grpo_config(out, seed=0, max_steps=max_steps, per_device_train_batch_size=16, steps_per_generation=2,
                       num_generations=8, max_completion_length=12, learning_rate=1e-3, logging_steps=1,
                       save_strategy="steps", save_steps=2, advantage_estimator="shuffle_r1", batch_selector="pts_abs",
                       selector_kwargs={"prune_ratio": 0.5, "replay_times": 2}, torch_threads=1)
    tr = make_grpo_trainer(model, DigitShare(), ds, args, tokenizer=tok, callbacks=[KillAt(kill_at)] if kill_at else None)
    tr.train(resume_from_checkpoint=True if "--resume" in sys.argv else None)
    params = {n: p.detach().double().sum().item() for n, p in tr.model.named_parameters()}
    rank = tr.accelerator.process_index  # every rank reports its parameters; only the main process writes result.json
    (out/f"params-rank{rank}.json").write_text(json.dumps(params))
    if tr.accelerator.is_main_process:
        (out/"result.json").write_text(json.dumps({"log_history": tr.state.log_history, "param_sums": params,
                                                   "num_processes": tr.accelerator.num_processes,
                                                   "distributed_type": str(tr.accelerator.distributed_type), "model_class": type(tr.model_wrapped).__name__}))


if __name__ == "__main__":
    main()
