"""Every papers/<slug>/full.yaml, run on CPU through the same notebook with tiny random models of the named
architectures and rows shaped like the named data sets (reasonlab.dryrun), shrunk only in size by dryrun.yaml."""
import pytest
from reasonlab.config import ParamError
from reasonlab.dryrun import dry_run_params, DryRunUnavailable
from reasonlab.experiment import paper_slugs
from reasonlab.reproduce import run_paper


@pytest.mark.parametrize("slug", paper_slugs())
def test_full_yaml_runs_dry(slug, tmp_path):
    try:
        params = dry_run_params(slug, tmp_path/"work")
    except DryRunUnavailable as e:
        pytest.skip(f"{slug}: {e}")
    r = run_paper(slug, "full", output_root=tmp_path/"out", params=params, progress=False)
    assert r["ok"], r.get("error")
    claims = r["metrics"]["claims"]
    assert any(c["ran"] for c in claims), "the full setting's arms match no claim"
    assert r["metrics"]["scale"] == "full"


def test_a_generation_budget_the_real_model_cannot_hold_is_refused(tmp_path, monkeypatch):
    import reasonlab.experiment as E
    real = E.paper_params
    monkeypatch.setattr(E, "paper_params", lambda slug, scale, root=None: {**real(slug, scale, root), "MAX_NEW_TOKENS": 16384})
    with pytest.raises(ParamError, match="MAX_NEW_TOKENS = 16384 does not fit Qwen/Qwen2.5-Math-7B's context of 4096"):
        dry_run_params("infialign", tmp_path)


def test_vision_rollouts_keep_their_images_through_pts(tmp_path):
    "A tiny Qwen2.5-VL on Geometry3K-shaped rows: images reach generation and loss, and PTS keeps each kept rollout's patches."
    from reasonlab.dryrun import tiny_like, fake_dataset
    from reasonlab.models import load_model
    from reasonlab.tasks import load_task_data
    from reasonlab.trainers.grpo import ReasonGRPOConfig, make_grpo_trainer, rounds_args
    from reasonlab.recipes import base_args
    from reasonlab.rewards.registry import make_reward
    from reasonlab.generation import TransformersGenerator, SamplingParams, prompt_text
    model, proc = load_model(str(tiny_like("Qwen/Qwen2.5-VL-3B-Instruct", tmp_path/"m")))
    train, test = load_task_data(str(fake_dataset("hiyouga/geometry3k", tmp_path/"d", n=8)), 8, 4, instruction="Box it.")
    assert isinstance(train[0]["prompt"], list) and "<image>" not in train[0]["prompt"][0]["content"]
    assert prompt_text(test[0]["prompt"], proc, test[0]["images"]).count("<|image_pad|>") == 1
    out = TransformersGenerator(model, proc).generate(list(test["prompt"]), params=SamplingParams(max_new_tokens=3), images=list(test["images"]))
    assert len(out) == 4
    seen = []
    args = ReasonGRPOConfig(**base_args(tmp_path/"t", seed=0, **rounds_args(1, 4, 4, 2), max_completion_length=4,
                                        batch_selector="pts", selector_kwargs={"prune_ratio": 0.5}))
    tr = make_grpo_trainer(model, make_reward("math"), train, args, tokenizer=proc)
    index = tr._index_batch
    def spy(batch, idx):
        new = index(batch, idx)
        seen.append((batch["pixel_values"].shape[0], new["pixel_values"].shape[0], int(new["image_grid_thw"].prod(-1).sum()), idx.numel()))
        return new
    tr._index_batch = spy
    tr.train()
    before, after, grid_rows, kept = seen[0]
    assert after == grid_rows and kept == 8 and after == before // 2  # 8 of 16 rollouts, each with its one image's patches
