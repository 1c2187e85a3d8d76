"""A short SFT of a tiny random Qwen2 on arithmetic references, used by test_distributed.py: run as a plain process or
under `accelerate launch` on several processes with the same global batch.

usage: sft_run.py OUT_DIR MAX_STEPS GLOBAL_BATCH"""
import json, os, sys
from pathlib import Path
from reasonlab.config import setup_run
from reasonlab.models import TinyModelSpec, build_tiny_model, train_tokenizer
from reasonlab.recipes import run_sft, sft_dataset
from reasonlab.tasks import make_arithmetic


def main():
    out, max_steps, global_batch = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    world = int(os.environ.get("WORLD_SIZE", "1"))
    setup_run(0, 1)
    ds = make_arithmetic(256, "train")
    tok = train_tokenizer(list(ds["prompt"]) + list(ds["reasoning"]))
    model = build_tiny_model(TinyModelSpec(hidden_size=64, intermediate_size=128, num_hidden_layers=2), tok)
    tr = run_sft(model, tok, sft_dataset(ds), out, max_steps=max_steps, per_device_train_batch_size=global_batch // world,
                 learning_rate=1e-3, lr_scheduler_type="constant", logging_steps=1, seed=0, report_to="none")
    if tr.accelerator.is_main_process:
        out.mkdir(parents=True, exist_ok=True)
        (out/"result.json").write_text(json.dumps({
            "num_processes": tr.accelerator.num_processes,
            "param_sums": {n: p.detach().double().sum().item() for n, p in tr.model.named_parameters()},
            "losses": [h["loss"] for h in tr.state.log_history if "loss" in h]}))


if __name__ == "__main__":
    main()
