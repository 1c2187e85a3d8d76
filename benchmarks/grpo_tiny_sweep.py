"""Does GRPO improve the tiny warm-start policy? A small sweep of the knobs that usually matter, each run from the
same cached warm start on the default RL problems (`tasks.RL_SPEC`, one-step), greedy held-out accuracy every 10
steps. Prints a markdown table and writes benchmarks/results/grpo_tiny_sweep[_fluent].json. About 1 min per config
on 2 cores (1 thread each).

    python benchmarks/grpo_tiny_sweep.py                 # all configs, from the default (brief) warm start
    python benchmarks/grpo_tiny_sweep.py --quick         # first two
    python benchmarks/grpo_tiny_sweep.py --start fluent --spec 2,2,1,2
        # from the long, converged SFT (recipes.FLUENT_WARMSTART) on two-step problems: the setting where GRPO
        # left the policy flat or worse in 7 of 8 configs (benchmarks/results/grpo_tiny_sweep_fluent.json)
"""
import argparse, json, time
from pathlib import Path
from reasonlab.config import setup_run
from reasonlab.models import load_model
from reasonlab.tasks import load_task_data, ExactAnswerReward, ArithmeticSpec, RL_SPEC
from reasonlab.generation import SamplingParams
from reasonlab.eval import AccuracyCallback
from reasonlab.recipes import warm_start, LoraSpec, WarmStartSpec, FLUENT_WARMSTART
from reasonlab.trainers.grpo import grpo_config, make_grpo_trainer

CONFIGS = [  # (name, config fields, LoRA rank)
    ("adam lr 1e-4 T 0.7", dict(learning_rate=1e-4, temperature=0.7), 0),
    ("adam lr 2e-4 T 0.7", dict(learning_rate=2e-4, temperature=0.7), 0),
    ("adam lr 3e-5 T 0.7", dict(learning_rate=3e-5, temperature=0.7), 0),
    ("adam lr 3e-4 T 1.0", dict(learning_rate=3e-4, temperature=1.0), 0),
    ("adam lr 1e-4 β 0.04", dict(learning_rate=1e-4, temperature=0.7, beta=0.04), 0),
    ("adam lr 1e-4 warmup 10", dict(learning_rate=1e-4, temperature=0.7, warmup_steps=10), 0),
    ("LoRA r16 lr 1e-3", dict(learning_rate=1e-3, temperature=0.7), 16),
    ("sgd lr 0.5", dict(learning_rate=0.5, temperature=0.7, optim="sgd"), 0),
]


def run(name, fields, lora, policy, train, test, steps):
    setup_run(0, 1)
    model, tok = load_model(policy)
    cb = AccuracyCallback(test, ExactAnswerReward(), tok, every=10, params=SamplingParams(max_new_tokens=96))
    args = grpo_config(Path("/tmp/grpo_sweep")/f"{time.time()}", max_steps=steps, per_device_train_batch_size=64,
                       num_generations=8, max_completion_length=96, logging_steps=1, torch_threads=1, **fields)
    tr = make_grpo_trainer(model, ExactAnswerReward(), train, args, tokenizer=tok, callbacks=[cb],
                           lora=LoraSpec(r=lora, alpha=2 * lora, dropout=0.0) if lora else None)
    tr.train()
    rewards = [h["reward"] for h in tr.state.log_history if "reward" in h]
    return {"config": name, "accuracy": cb.history, "train_reward_first5": sum(rewards[:5]) / 5,
            "train_reward_last5": sum(rewards[-5:]) / 5}


def main():
    ap = argparse.ArgumentParser(); ap.add_argument("--quick", action="store_true"); ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--start", choices=["brief", "fluent"], default="brief")
    ap.add_argument("--spec", default=None, help="RL problems as min_steps,max_steps,min_digits,max_digits (default tasks.RL_SPEC)")
    a = ap.parse_args()
    policy = str(warm_start(FLUENT_WARMSTART if a.start == "fluent" else WarmStartSpec()))
    spec = ArithmeticSpec(*map(int, a.spec.split(","))) if a.spec else RL_SPEC
    train, test = load_task_data(n_train=2000, n_test=200, spec=spec)
    rows = [run(n, f, l, policy, train, test, a.steps) for n, f, l in (CONFIGS[:2] if a.quick else CONFIGS)]
    print("| config (8 prompts × 8, dapo loss) | held-out accuracy by step | train reward, steps 1–5 → last 5 (same prompts in every config) |\n|---|---|---|")
    for r in rows:
        print(f"| {r['config']} | {' → '.join(f'{acc:.3f}' for _, acc in r['accuracy'])} | "
              f"{r['train_reward_first5']:.3f} → {r['train_reward_last5']:.3f} |")
    out = Path(f"benchmarks/results/grpo_tiny_sweep{'_fluent' if a.start == 'fluent' else ''}.json"); out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
