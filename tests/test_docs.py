"""The documentation site builds offline from the notebooks, and no page or module docstring links to a missing page."""
import importlib.util, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_docs_site_builds_with_no_broken_link(tmp_path):
    spec = importlib.util.spec_from_file_location("build_docs", ROOT/"tools"/"build_docs.py")
    docs = importlib.util.module_from_spec(spec); spec.loader.exec_module(docs)
    out = tmp_path/"site"
    assert docs.build(out) == []
    assert (out/"index.html").exists() and (out/"dryrun.html").exists() and (out/"dryrun.html.md").exists()
    page = (out/"papers"/"shuffle-r1.html").read_text()
    assert "Results of the last reproduction" in page and "<table" in page  # the generated claims table
    assert 'id="reasonlab.claims.judge"' in (out/"claims.html").read_text()  # the API section (autodoc)
