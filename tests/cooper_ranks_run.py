"""Cooper's co-training step (`CooperReward` in mode 'cooper': pre-update scores, then one reward-model step on
(positive, corrupted) pairs) on one process or under `accelerate launch` on several, used by test_distributed.py.

Three global batches of 16 prompts × 2 rollouts; each process scores and trains on its contiguous share (whole
prompts, as TRL hands them out). The corrupter is the rule corrupter seeded per row, so a row's negative does not
depend on which process holds it. Writes OUT_DIR/normal/rank<r>.json; on several processes also
OUT_DIR/failing/rank<r>.json, a second run where the last process's corrupter raises on every call (an unreachable
judge endpoint, say): the step must still complete on every process.

usage: cooper_ranks_run.py OUT_DIR"""
import hashlib, json, sys
from pathlib import Path
import torch
from accelerate import PartialState
from reasonlab.config import setup_run
from reasonlab.generation import CallableGenerator
from reasonlab.models import train_tokenizer
from reasonlab.rewards.reward_model import tiny_reward_model
from reasonlab.tasks import make_arithmetic
from reasonlab.papers.cooper import CooperReward, answer_rewrite

PROMPTS, STEPS = 16, 3


def per_row_rewrite(prompts, n, params):
    return [[answer_rewrite(hashlib.sha1(p.encode()).hexdigest()).one(p)] for p in prompts]


def unreachable(prompts, n, params):
    raise ConnectionError("judge endpoint unreachable")


def rollouts(r, j) -> list[str]:
    "Two rollouts of prompt j: right/wrong, wrong/right, or both wrong (a prompt with no positive, masked)."
    right, wrong = f"{r['reasoning']}\n#### {r['answer']}", f"{r['reasoning']}\n#### {int(r['answer']) + 1}"
    return [[right, wrong], [wrong, right], [wrong, wrong]][j % 3]


def run(out: Path, rank: int, world: int, failing: int | None):
    out.mkdir(parents=True, exist_ok=True)
    setup_run(0, 1)
    ds = make_arithmetic(PROMPTS * STEPS, "train")
    tok = train_tokenizer(list(ds["prompt"]) + list(ds["reasoning"]))
    rm = tiny_reward_model(tok, seed=1)
    coop = CooperReward(rm, tok, mode="cooper", lr=1e-3,
                        corrupter=CallableGenerator(unreachable if rank == failing else per_row_rewrite))
    scores = []
    for t in range(STEPS):
        rows = [ds[j] for j in range(t * PROMPTS, (t + 1) * PROMPTS)]
        prompts = [r["prompt"] for r in rows for _ in range(2)]
        completions = [c for j, r in enumerate(rows) for c in rollouts(r, j)]
        answers = [r["answer"] for r in rows for _ in range(2)]
        share = slice(rank * len(prompts) // world, (rank + 1) * len(prompts) // world)
        scores.append(coop(prompts=prompts[share], completions=completions[share], answer=answers[share]))
    params = {n: p.detach().double().sum().item() for n, p in rm.named_parameters()}
    (out/f"rank{rank}.json").write_text(json.dumps({"scores": scores, "params": params, "updates": coop.updates,
                                                    "failed": coop.failed, "num_processes": world}))


def main():
    state = PartialState(cpu=True)  # joins the process group `accelerate launch` set up (gloo on CPU)
    rank, world = state.process_index, state.num_processes
    run(Path(sys.argv[1])/"normal", rank, world, None)
    if world > 1: run(Path(sys.argv[1])/"failing", rank, world, world - 1)


if __name__ == "__main__":
    main()
