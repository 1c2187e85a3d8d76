"""GRPO with every registered advantage estimator and every registered batch selector, two rounds each, on one process or under
`accelerate launch` on several — used by test_distributed.py to compare a 2-process run with a 1-process run of the
same global batch.

Rollouts come from the policy itself, sampled token by token with a generator seeded by (seed, step, prompt, copy),
so they are a function of the weights and the data order, not of how many processes share the batch (TRL's own
sampling draws from each process's RNG stream, which no two process counts share). Everything after the rollouts —
rewards, gathered advantages, selection, the loss normaliser, the gradient all-reduce — is TRL's and reasonlab's.

usage: grpo_ranks_run.py OUT_DIR"""
import hashlib, json, os, sys
from collections import Counter
from pathlib import Path
import torch
from reasonlab.algos import ADVANTAGE_ESTIMATORS, BATCH_SELECTORS, load_paper_modules
from reasonlab.config import setup_run
from reasonlab.models import TinyModelSpec, build_tiny_model, train_tokenizer
from reasonlab.tasks import make_arithmetic
from reasonlab.trainers.grpo import ReasonGRPOTrainer, grpo_config

load_paper_modules()  # the papers' registered estimators and selectors (Shuffle-R1's)
N, GLOBAL_ROLLOUTS, MAX_NEW, STEPS = 4, 32, 10, 2
def combos() -> list[tuple[str, str]]:
    "Every registered estimator (with selector 'all') and every registered selector (with the 'grpo' estimator)."
    return [(e, "all") for e in ADVANTAGE_ESTIMATORS] + [("grpo", s) for s in BATCH_SELECTORS if s != "all"]


class DigitShare:
    "Reward with variance on an untrained model: the share of digit characters in the completion."
    __name__ = "digit_share"
    def __call__(self, prompts, completions, **kw):
        return [sum(ch.isdigit() for ch in c) / max(1, len(c)) for c in completions]


def seeded_rollouts(prompts, trainer):
    "One completion per prompt row, sampled at T = 1 from the current weights with a per-row seed."
    tok, model = trainer.processing_class, trainer.accelerator.unwrap_model(trainer.model)
    copies, ids, comp = Counter(), [], []
    for p in prompts:
        key = f"{trainer.args.seed}-{trainer.state.global_step}-{p}-{copies[p]}"; copies[p] += 1
        g = torch.Generator().manual_seed(int(hashlib.sha1(key.encode()).hexdigest()[:12], 16))
        x = tok(p, add_special_tokens=False)["input_ids"]
        out = []
        with torch.no_grad():
            for _ in range(MAX_NEW):
                logits = model(torch.tensor([x + out])).logits[0, -1].float()
                t = int(torch.multinomial(torch.softmax(logits, -1), 1, generator=g))
                out.append(t)
                if t == tok.eos_token_id: break
        ids.append(x); comp.append(out)
    return {"prompt_ids": ids, "completion_ids": comp, "logprobs": None}


def run(est, sel, out, world, ds, tok):
    setup_run(0, 1)
    model = build_tiny_model(TinyModelSpec(hidden_size=64, intermediate_size=128, num_hidden_layers=2), tok)
    ordered = getattr(BATCH_SELECTORS.get_fn(sel), "ordered", False)
    spg = 2 if ordered else 1  # an ordered selector's draws spread over updates; otherwise one update per generation
    args = grpo_config(out, seed=0, max_steps=STEPS * spg, per_device_train_batch_size=GLOBAL_ROLLOUTS // (world * spg),
                       steps_per_generation=spg, num_generations=N, max_completion_length=MAX_NEW, learning_rate=1e-3,
                       logging_steps=1, advantage_estimator=est, batch_selector=sel,
                       selector_kwargs={"prune_ratio": 0.5, "replay_times": 2} if sel != "all" else {}, torch_threads=1)
    tr = ReasonGRPOTrainer(model=model, reward_funcs=DigitShare(), args=args, train_dataset=ds, processing_class=tok,
                           rollout_func=seeded_rollouts)
    tr.train()
    params = {n: p.detach().double().sum().item() for n, p in tr.model.named_parameters()}
    logs = [{k: v for k, v in h.items() if isinstance(v, (int, float))} for h in tr.state.log_history if "loss" in h]
    return tr.accelerator, params, logs


def main():
    out = Path(sys.argv[1])
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    world = int(os.environ.get("WORLD_SIZE", "1"))
    ds = make_arithmetic(64, "train").select_columns(["prompt", "answer"])
    tok = train_tokenizer(list(ds["prompt"]))
    result = {}
    for est, sel in combos():
        acc, params, logs = run(est, sel, out/f"{est}-{sel}", world, ds, tok)
        (out/f"{est}-{sel}"/f"params-rank{acc.process_index}.json").write_text(json.dumps(params))
        result[f"{est}/{sel}"] = {"param_sums": params, "logs": logs}
    if acc.is_main_process:
        (out/"result.json").write_text(json.dumps({"num_processes": acc.num_processes, "runs": result}))


if __name__ == "__main__":
    main()
