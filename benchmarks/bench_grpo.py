"""GRPO step time: plain TRL GRPOTrainer vs reasonlab's ReasonGRPOTrainer (hooks only, and with PTS+ABS), same tiny
config, side by side in one run (interleaved repetitions). Target: PTS+ABS step ≤ 1.10× plain TRL's.

    python benchmarks/bench_grpo.py              # CPU, the tiny model (writes benchmarks/results/grpo.json)
    python benchmarks/bench_grpo.py --device     # GPU: bf16, a randomly initialised 0.5B-class Qwen2 (Qwen2.5-0.5B shape)
"""
import argparse, json, os, statistics, sys, time
from pathlib import Path
import torch
from trl import GRPOTrainer
from reasonlab.config import setup_run
from reasonlab.models import TinyModelSpec, build_tiny_model, train_tokenizer
from reasonlab.tasks import make_arithmetic, ExactAnswerReward
from reasonlab.trainers.grpo import grpo_config, make_grpo_trainer, ReasonGRPOTrainer


QWEN25_05B = TinyModelSpec(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                           num_key_value_heads=2, max_position_embeddings=4096)


class LengthReward:
    "A reward with variance on an untrained model (share of digits), so advantages are non-zero."
    __name__ = "digit_share"
    def __call__(self, prompts, completions, **kw):
        return [sum(ch.isdigit() for ch in c) / max(1, len(c)) for c in completions]


VARIANTS = {
    "trl_grpo": dict(cls=GRPOTrainer, cfg={}),
    "reasonlab_hooks": dict(cls=ReasonGRPOTrainer, cfg=dict(advantage_estimator="grpo", batch_selector="all")),
    "reasonlab_pts_abs": dict(cls=ReasonGRPOTrainer, cfg=dict(advantage_estimator="shuffle_r1", batch_selector="pts_abs",
                                                            selector_kwargs={"prune_ratio": 0.5, "replay_times": 2})),
}


def step_times(variant, model_fn, tok, ds, steps, device_mode, prompts, n, max_len):
    v = VARIANTS[variant]
    setup_run(0, None if device_mode else 1)
    args = dict(max_steps=steps, per_device_train_batch_size=prompts * n // 2, steps_per_generation=2, num_generations=n,
                max_completion_length=max_len, learning_rate=1e-5, logging_steps=1, **v["cfg"])
    if device_mode: args.update(bf16=True, use_cpu=False, torch_threads=None)
    cfg = grpo_config(Path("/tmp/bench_grpo")/variant, **args)
    if v["cls"] is GRPOTrainer:  # plain TRL: the same config object, TRL's own trainer class
        tr = GRPOTrainer(model=model_fn(), reward_funcs=LengthReward(), args=cfg, train_dataset=ds, processing_class=tok)
    else:
        tr = make_grpo_trainer(model_fn(), LengthReward(), ds, cfg, tokenizer=tok)
    t0 = time.perf_counter(); tr.train(); wall = time.perf_counter() - t0
    st = [h["step_time"] for h in tr.state.log_history if "step_time" in h]
    rounds = [a + b for a, b in zip(st[0::2], st[1::2])]  # one rollout round = one generation + its 2 updates
    return rounds, wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", action="store_true", help="GPU check: bf16 0.5B-class model")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10, help="optimizer steps per run (2 per rollout round)")
    ap.add_argument("--out", default="benchmarks/results/grpo.json")
    a = ap.parse_args()
    ds = make_arithmetic(256, "train").select_columns(["prompt", "answer"])
    tok = train_tokenizer(list(ds["prompt"]))
    if a.device:
        assert torch.cuda.is_available(), "--device needs a GPU"
        model_fn = lambda: build_tiny_model(QWEN25_05B, tok, seed=0, vocab_size=151936).to(torch.bfloat16).cuda()
        prompts, n, max_len = 16, 16, 256
    else:
        model_fn = lambda: build_tiny_model(TinyModelSpec(), tok, seed=0)
        prompts, n, max_len = 8, 16, 48
    params = sum(p.numel() for p in model_fn().parameters())
    res = {k: [] for k in VARIANTS}
    for rep in range(a.reps):  # interleaved, so machine load hits every variant alike
        for k in VARIANTS:
            st, wall = step_times(k, model_fn, tok, ds, a.steps, a.device, prompts, n, max_len)
            res[k] += st[1:]  # the first round includes warm-up
            print(f"rep {rep} {k}: median round {statistics.median(st[1:]):.3f} s (wall {wall:.1f} s)", flush=True)
    med = {k: statistics.median(v) for k, v in res.items()}
    rows = [(k, med[k], med[k] / med["trl_grpo"]) for k in VARIANTS]
    print(f"\n{params/1e6:.1f}M params, {prompts} prompts × n={n}, max completion {max_len}, "
          f"{'bf16 ' + torch.cuda.get_device_name() if a.device else 'fp32 CPU, 1 thread'}\n")
    print("| trainer | median s/round (1 generation + 2 updates) | × plain TRL |\n|---|---|---|")
    for k, m, r in rows: print(f"| {k} | {m:.3f} | {r:.2f} |")
    out = {"device": torch.cuda.get_device_name() if a.device else "cpu", "params": params, "prompts": prompts, "n": n,
           "max_completion_length": max_len, "median_round_s": med, "ratio_to_trl": {k: r for k, _, r in rows},
           "target": "reasonlab_pts_abs ≤ 1.10 × trl_grpo"}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
