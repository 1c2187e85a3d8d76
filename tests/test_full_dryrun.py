"""Every papers/<slug>/full.yaml, run on CPU through the same notebook with tiny random models of the named
architectures and rows shaped like the named data sets (reasonlab.dryrun), shrunk only in size by dryrun.yaml."""
import pytest
from reasonlab.config import ParamError
from reasonlab.dryrun import dry_run_params, DryRunUnavailable, vision_stack_available
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


def test_vision_models_say_why_they_cannot_run_dry_here(tmp_path):
    why = vision_stack_available()
    if why is None: pytest.skip("torchvision loads here: the VL dry run is possible")
    with pytest.raises(DryRunUnavailable, match="torchvision"):
        dry_run_params("shuffle-r1", tmp_path)
