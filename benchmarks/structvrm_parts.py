"""How many parts can the tiny policy carry? The multi-part start policy's held-out accuracy by parts range.

Why StructVRM's tiny reproduction uses 2-part items (its notebook cites this): for each (start, parts, SFT steps),
the multi-part SFT of `reasonlab.papers.structvrm.multipart_policy`, then greedy whole/part accuracy on 200 held-out
items. Writes benchmarks/results/structvrm_parts.json.

    python benchmarks/structvrm_parts.py                     # the settings the notebook cites
    python benchmarks/structvrm_parts.py --only fluent:2,2:120
"""
import argparse, json, tempfile, time
from pathlib import Path
import torch
from reasonlab.recipes import warm_start, WarmStartSpec, FLUENT_WARMSTART
from reasonlab.papers.structvrm import multipart_policy, make_multipart, MultipartScorer
from reasonlab.models import load_model
from reasonlab.eval import evaluate
from reasonlab.generation import TransformersGenerator, SamplingParams

SETTINGS = ["fluent:2,2:120", "fluent:2,3:120", "fluent:2,4:120", "brief:2,4:300"]


def measure(setting: str, seed: int, root: Path) -> dict:
    start, parts, steps = setting.split(":")
    parts, steps = tuple(int(x) for x in parts.split(",")), int(steps)
    base = warm_start(FLUENT_WARMSTART) if start == "fluent" else warm_start(WarmStartSpec(seed=seed))
    t0 = time.time()
    policy = multipart_policy(base, parts, steps=steps, seed=seed, threads=1, root=root)
    sft_seconds = time.time() - t0
    model, tok = load_model(str(policy))
    r = evaluate(TransformersGenerator(model, tok), make_multipart(200, "test", 0, parts), MultipartScorer(),
                 params=SamplingParams(max_new_tokens=48 * parts[1]))
    return {"setting": setting, "seed": seed, "sft_seconds": sft_seconds, **r["means"], "items": 200}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", default=SETTINGS)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(1)
    root = Path(tempfile.mkdtemp(prefix="structvrm-parts-"))
    rows = [measure(s, a.seed, root) for s in a.only]
    print("| start:parts:steps | whole | part | SFT s |\n|---|---|---|---|")
    for r in rows: print(f"| {r['setting']} | {r['whole']:.3f} | {r['part']:.3f} | {r['sft_seconds']:.0f} |")
    out = Path(__file__).parent/"results"/"structvrm_parts.json"
    out.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
