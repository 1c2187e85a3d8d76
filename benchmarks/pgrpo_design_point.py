"""Posterior-GRPO's design point, computed: for each candidate SFT length, the start policy's sampled (T = 1) pass rate on
64 train prompts × 8 rollouts and the share of those groups holding ≥ 2 passing rollouts. The rule fixed before any arm
ran (nbs/papers/posterior_grpo.ipynb, § the design point): SFT_STEPS is the candidate whose pass rate is closest to 0.5.
Each candidate is `posterior_grpo.start_policy` with that SFT_STEPS (cached like the notebook's own), seed 0 unless given.

    python benchmarks/pgrpo_design_point.py [--seeds 0] [--workers 2] [--out benchmarks/results/pgrpo_design_point.json]
"""
import argparse, json, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

CANDIDATES = [150, 160, 170, 175, 180, 190, 200, 300, 450, 600]  # the grid of the committed rule (150–200 first, then extended)


def measure(steps: int, seed: int, prompts: int = 64, n: int = 8) -> dict:
    "Train (or load) the candidate start policy and sample it on the first `prompts` train prompts."
    import torch
    from reasonlab.config import setup_run
    from reasonlab.experiment import paper_params
    from reasonlab.generation import TransformersGenerator, SamplingParams
    from reasonlab.models import load_model
    import reasonlab.papers.posterior_grpo as pg
    P = {**paper_params("posterior-grpo"), "SFT_STEPS": steps}
    t0 = time.time(); path = pg.start_policy(P, seed); built = time.time() - t0
    setup_run(seed, P["THREADS"])
    train, _ = pg.task_data(P); rows = train.select(range(prompts))
    model, tok = load_model(path)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        outs = TransformersGenerator(model, tok).generate(list(rows["prompt"]), n, SamplingParams(max_new_tokens=P["MAX_COMPLETION_LENGTH"], temperature=1.0))
    reward = pg.MemoCodeTestReward(workers=1)
    passed = [reward(prompts=[p] * n, completions=cs, tests=[t] * n) for p, cs, t in zip(rows["prompt"], outs, rows["tests"])]
    return {"sft_steps": steps, "seed": seed, "pass_rate": sum(map(sum, passed)) / (prompts * n),
            "groups_with_2_passing": sum(sum(g) >= 2 for g in passed) / prompts, "build_seconds": round(built, 1)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--steps", type=int, nargs="+", default=CANDIDATES)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    import multiprocessing as mp
    jobs = [(s, seed) for seed in a.seeds for s in a.steps]
    with ProcessPoolExecutor(a.workers, mp_context=mp.get_context("spawn")) as pool:
        rows = list(pool.map(measure, *zip(*jobs)))
    for seed in a.seeds:
        mine = [r for r in rows if r["seed"] == seed]
        pick = min(mine, key=lambda r: (abs(r["pass_rate"] - 0.5), r["sft_steps"]))["sft_steps"]
        print(f"seed {seed}: " + " | ".join(f"{r['sft_steps']}: {r['pass_rate']:.3f} ({r['groups_with_2_passing']:.2f})" for r in mine)
              + f"  → the rule picks {pick}")
    if a.out:
        from reasonlab.config import machine_info
        Path(a.out).write_text(json.dumps({"machine": machine_info(), "candidates": rows}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
