"""A short SFT or DPO run of a tiny random Qwen2 on arithmetic, used by test_distributed.py: run as a plain process or
under `accelerate launch` on several processes with the same global batch.

usage: recipe_run.py OUT_DIR MAX_STEPS GLOBAL_BATCH sft|dpo|sft,dpo (several: OUT_DIR/<recipe>/)"""
import json, os, sys
from pathlib import Path
from datasets import Dataset
from reasonlab.config import setup_run
from reasonlab.models import TinyModelSpec, build_tiny_model, train_tokenizer
from reasonlab.recipes import run_sft, run_dpo, sft_dataset
from reasonlab.tasks import make_arithmetic


def run(out: Path, max_steps: int, global_batch: int, recipe: str, world: int):
    setup_run(0, 1)
    ds = make_arithmetic(256, "train")
    tok = train_tokenizer(list(ds["prompt"]) + list(ds["reasoning"]))
    model = build_tiny_model(TinyModelSpec(hidden_size=64, intermediate_size=128, num_hidden_layers=2), tok)
    args = dict(max_steps=max_steps, per_device_train_batch_size=global_batch // world, learning_rate=1e-3,
                lr_scheduler_type="constant", logging_steps=1, seed=0, report_to="none")
    if recipe == "sft": tr = run_sft(model, tok, sft_dataset(ds), out, **args)
    else:
        pairs = Dataset.from_list([{"prompt": r["prompt"], "chosen": f"{r['reasoning']}\n#### {r['answer']}",
                                    "rejected": f"{r['reasoning']}\n#### {int(r['answer']) + 1}"} for r in ds])
        import copy
        tr = run_dpo(model, tok, pairs, out, ref_model=copy.deepcopy(model), beta=0.1, **args)  # a model object has no name to reload a reference from
    if tr.accelerator.is_main_process:
        out.mkdir(parents=True, exist_ok=True)
        (out/"result.json").write_text(json.dumps({
            "num_processes": tr.accelerator.num_processes,
            "param_sums": {n: p.detach().double().sum().item() for n, p in tr.model.named_parameters()},
            "losses": [h["loss"] for h in tr.state.log_history if "loss" in h]}))


def main():
    out, max_steps, global_batch, recipes = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(",")
    world = int(os.environ.get("WORLD_SIZE", "1"))
    for recipe in recipes:  # several in one process: one launch, one set of imports
        run(out/recipe if len(recipes) > 1 else out, max_steps, global_batch, recipe, world)


if __name__ == "__main__":
    main()
