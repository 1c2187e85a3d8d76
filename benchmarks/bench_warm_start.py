"""Warm-start policy: time to train and what it leaves for RL. Trains `recipes.WarmStartSpec()` from scratch into a
temporary cache (never touching ~/.cache/reasonlab), then scores held-out `tasks.RL_SPEC` problems greedily and
with 8 samples at temperature 0.7. Targets: ≥ 25% greedy held-out accuracy in ≤ 2 minutes on 2 cores, with a
pass@8 well above greedy (the headroom GRPO can turn into accuracy).

    python benchmarks/bench_warm_start.py              # 2 threads (an idle 2-core box)
    python benchmarks/bench_warm_start.py --threads 1  # a busy one
"""
import argparse, json, platform, tempfile, time
from dataclasses import replace
from pathlib import Path
from reasonlab.config import setup_run
from reasonlab.models import load_model
from reasonlab.recipes import WarmStartSpec, warm_start
from reasonlab.tasks import make_arithmetic, ExactAnswerReward, RL_SPEC
from reasonlab.generation import TransformersGenerator, SamplingParams


def main():
    ap = argparse.ArgumentParser(); ap.add_argument("--threads", type=int, default=2); ap.add_argument("--n", type=int, default=200)
    a = ap.parse_args()
    spec = replace(WarmStartSpec(), threads=a.threads)
    with tempfile.TemporaryDirectory() as root:
        t0 = time.time(); path = warm_start(spec, root=Path(root)); wall = time.time() - t0
        info = json.loads((path/"warmstart.json").read_text())
        setup_run(0, a.threads)
        model, tok = load_model(str(path))
        test = make_arithmetic(a.n, "test", seed=0, spec=RL_SPEC)
        outs = TransformersGenerator(model, tok).generate(list(test["prompt"]), n=8,
                                                            params=SamplingParams(max_new_tokens=96, temperature=0.7, seed=0))
        score = ExactAnswerReward()
        per = [score(completions=o, answer=[ans] * 8) for o, ans in zip(outs, test["answer"])]
    row = {"machine": f"{platform.machine()} {platform.node()}", "threads": a.threads, "sft_steps": spec.max_steps,
           "train_seconds": round(info["train_seconds"], 1), "wall_seconds": round(wall, 1),
           "greedy_accuracy": info["heldout_greedy_accuracy"], "pass_at_8": sum(max(s) for s in per) / len(per),
           "mean_at_8": sum(sum(s) / 8 for s in per) / len(per), "n_heldout": a.n}
    print("| threads | SFT steps | train s (target ≤ 120) | wall s | greedy (target ≥ 0.25) | pass@8 T0.7 | mean@8 |\n|---|---|---|---|---|---|---|")
    print(f"| {a.threads} | {row['sft_steps']} | {row['train_seconds']} | {row['wall_seconds']} | {row['greedy_accuracy']:.3f} | "
          f"{row['pass_at_8']:.3f} | {row['mean_at_8']:.3f} |")
    out = Path("benchmarks/results/warm_start.json"); out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
