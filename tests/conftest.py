"""Shared fixtures: a paper notebook run once per test module at test scale (papers/<PAPER>/test.yaml).

Under pytest-xdist each worker gets its own temporary folder (TMPDIR), so a test that checks what it left in the
temporary folder (test_sandbox.py's sandbox working directories) does not see the other worker's sandboxes."""
import os, tempfile
from pathlib import Path
import pytest
from reasonlab.reproduce import run_paper

if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    _tmp = Path(tempfile.gettempdir())/f"reasonlab-tests-{os.getpid()}-{worker}"
    _tmp.mkdir(parents=True, exist_ok=True)
    os.environ["TMPDIR"] = str(_tmp); tempfile.tempdir = None  # this process and every subprocess it starts


@pytest.fixture(scope="module")
def result(request, tmp_path_factory):
    "run_paper's result for the module's `PAPER`, plus `out`, the output root it wrote into."
    out = tmp_path_factory.mktemp("out")
    return run_paper(request.module.PAPER, "test", output_root=out, progress=False) | {"out": out}
