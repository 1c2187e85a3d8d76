"""GPU only: generation throughput inside a bf16 GRPO round, TRL + vLLM colocate vs HF generate, same model and batch.
Target: vLLM ≥ 10× HF generate in completion tokens per second of generation time.

A randomly initialised Qwen2 with Qwen2.5-0.5B's body (24 layers, width 896, GQA 14/2) and the project's own
tokenizer (nothing can be downloaded on the device box), saved to disk so vLLM can load it. Each backend runs the
same ReasonGRPOTrainer for a few rounds; generation is timed around TRL's `_generate` (CUDA-synchronised), so the
update's time is not counted.

    pip install -e ".[vllm]"                      # on the GPU box (vLLM 0.31 pins torch 2.13)
    python benchmarks/bench_vllm.py               # ≈ 5 min on one H100/H200; writes benchmarks/results/vllm_<gpu>.json
"""
import argparse, json, os, statistics, time
from pathlib import Path
import torch
from reasonlab.config import setup_run
from reasonlab.models import TinyModelSpec, build_tiny_model, train_tokenizer
from reasonlab.tasks import make_arithmetic
from reasonlab.trainers.grpo import ReasonGRPOTrainer, grpo_config

QWEN25_05B = TinyModelSpec(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                           num_key_value_heads=2, max_position_embeddings=4096)


class DigitShare:
    __name__ = "digit_share"
    def __call__(self, prompts, completions, **kw):
        return [sum(ch.isdigit() for ch in c) / max(1, len(c)) for c in completions]


class TimedGeneration(ReasonGRPOTrainer):
    "ReasonGRPOTrainer that records (seconds, completion tokens) of every generation call."
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw); self.gen_log = []
    def _generate(self, prompts):
        sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)
        sync(); t0 = time.perf_counter()
        out = super()._generate(prompts)
        sync()
        self.gen_log.append((time.perf_counter() - t0, sum(len(ids) for ids in out[1])))
        return out


def run(backend: str, model_dir: Path, tok, ds, a) -> dict:
    setup_run(0, None)
    extra = dict(use_vllm=True, vllm_mode="colocate", vllm_gpu_memory_utilization=a.vllm_memory,
                 vllm_max_model_length=a.max_len + 64) if backend == "vllm" else {}
    cfg = grpo_config(Path(a.work)/backend, max_steps=a.rounds, per_device_train_batch_size=a.prompts * a.n,
                      steps_per_generation=1, num_generations=a.n, max_completion_length=a.max_len, learning_rate=1e-6,
                      logging_steps=1, advantage_estimator="grpo", **extra,
                      **({} if a.cpu_smoke else dict(bf16=True, use_cpu=False)))
    tr = TimedGeneration(model=str(model_dir), reward_funcs=DigitShare(), args=cfg, train_dataset=ds, processing_class=tok)
    t0 = time.perf_counter(); tr.train(); wall = time.perf_counter() - t0
    rounds = tr.gen_log[1:]  # the first call includes warm-up (CUDA graphs, kernels)
    tps = [tokens / s for s, tokens in rounds]
    return {"median_tokens_per_s": statistics.median(tps), "median_generation_s": statistics.median(s for s, _ in rounds),
            "median_completion_tokens": statistics.median(t for _, t in rounds), "rounds": len(tr.gen_log), "wall_s": wall}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--prompts", type=int, default=16)
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--max-len", type=int, default=256)
    ap.add_argument("--vllm-memory", type=float, default=0.3)
    ap.add_argument("--work", default="/tmp/bench_vllm")
    ap.add_argument("--out", default=None)
    ap.add_argument("--cpu-smoke", action="store_true", help="the HF path only, tiny model, on CPU: checks the script runs")
    a = ap.parse_args()
    if a.cpu_smoke:
        ds = make_arithmetic(64, "train").select_columns(["prompt", "answer"]); tok = train_tokenizer(list(ds["prompt"]))
        d = Path(a.work)/"tiny"; m = build_tiny_model(TinyModelSpec(), tok, seed=0); m.save_pretrained(d); tok.save_pretrained(d)
        print(run("hf", d, tok, ds, a)); return
    if not torch.cuda.is_available():  # `make bench` runs every bench_*.py: on CPU this one has nothing to measure
        print("bench_vllm.py: skipped, needs a GPU (vLLM colocate); the CPU step-time benchmark is bench_grpo.py"); return
    try: import vllm  # noqa: F401
    except ImportError: raise SystemExit('vLLM is not installed: pip install -e ".[vllm]" (vLLM 0.31, the last TRL accepts)')
    for k, v in dict(RANK="0", LOCAL_RANK="0", WORLD_SIZE="1", MASTER_ADDR="localhost", MASTER_PORT="29571").items():
        os.environ.setdefault(k, v)  # colocate mode runs vLLM with the external launcher, which reads these
    ds = make_arithmetic(512, "train").select_columns(["prompt", "answer"])
    tok = train_tokenizer(list(ds["prompt"]))
    model_dir = Path(a.work)/"model"
    model = build_tiny_model(QWEN25_05B, tok, seed=0).to(torch.bfloat16)
    model.save_pretrained(model_dir); tok.save_pretrained(model_dir)
    params = sum(p.numel() for p in model.parameters()); del model
    res = {b: run(b, model_dir, tok, ds, a) for b in ("hf", "vllm")}
    ratio = res["vllm"]["median_tokens_per_s"] / res["hf"]["median_tokens_per_s"]
    gpu = torch.cuda.get_device_name()
    out = {"device": gpu, "params": params, "prompts": a.prompts, "n": a.n, "max_completion_length": a.max_len,
           "backends": res, "vllm_over_hf": ratio, "target": "vllm_over_hf ≥ 10", "met": ratio >= 10}
    print(f"{params/1e6:.0f}M params (random, Qwen2.5-0.5B body, project tokenizer), {a.prompts} prompts × n={a.n}, "
          f"max completion {a.max_len}, bf16, {gpu}")
    print("| backend | completion tokens/s | s per generation |\n|---|---|---|")
    for b, r in res.items(): print(f"| {b} | {r['median_tokens_per_s']:.0f} | {r['median_generation_s']:.2f} |")
    print(f"vLLM / HF generate: {ratio:.1f}× (target ≥ 10×)")
    dest = Path(a.out or f"benchmarks/results/vllm_{gpu.split()[-1].lower()}.json")
    dest.parent.mkdir(parents=True, exist_ok=True); dest.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
