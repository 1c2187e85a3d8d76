"Shared fixtures: a paper notebook run once per test module at test scale (papers/<PAPER>/test.yaml)."
import pytest
from reasonlab.reproduce import run_paper


@pytest.fixture(scope="module")
def result(request, tmp_path_factory):
    "run_paper's result for the module's `PAPER`, plus `out`, the output root it wrote into."
    out = tmp_path_factory.mktemp("out")
    return run_paper(request.module.PAPER, "test", output_root=out, progress=False) | {"out": out}
