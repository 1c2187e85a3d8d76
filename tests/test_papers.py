"""The contract every paper folder keeps: claims declared as data, parameter files that match the notebook, the
notebook's defaults equal to the tiny reproduction, and a README whose results section is generated, not typed."""
import json
import pytest
from reasonlab.claims import load_claims, ClaimError, VERDICTS
from reasonlab.experiment import paper_slugs, paper_info, paper_params, notebook_defaults, project_root
from reasonlab.reproduce import readme_section, results_section

SLUGS = paper_slugs()


@pytest.mark.parametrize("slug", SLUGS)
def test_claims_are_declared_with_the_papers_numbers(slug):
    claims = load_claims(project_root()/"papers"/slug/"paper.yaml")
    assert claims and all(c.statement and c.paper for c in claims)
    assert any(not c.check for c in claims)


@pytest.mark.parametrize("slug", SLUGS)
def test_notebook_defaults_are_the_tiny_reproduction(slug):
    "One source of truth: 'Run All' in the notebook runs exactly what `make reproduce` runs."
    assert paper_params(slug, "tiny") == notebook_defaults(paper_info(slug)["notebook"])
    for scale in ("test", "full"): paper_params(slug, scale)  # every parameter file names real parameters, rightly typed


@pytest.mark.parametrize("slug", SLUGS)
def test_readme_results_are_generated_from_results_json(slug):
    "No README holds a measured number that a run did not write: its results section renders from results.json."
    folder = project_root()/"papers"/slug
    readme = (folder/"README.md").read_text()
    section = readme_section(readme)
    if not (folder/"results.json").exists():
        assert section is None, f"{slug}: a results section without results.json"
        return
    res = json.loads((folder/"results.json").read_text())
    assert section == results_section(res), f"{slug}: README results differ from results.json; rerun make reproduce"
    assert all(c["verdict"] in VERDICTS or c.get("check") for c in res["claims"])


def test_a_bad_claim_file_names_file_claim_and_field(tmp_path):
    bad = tmp_path/"paper.yaml"
    bad.write_text("claims:\n  - {id: x, statement: s, paper: p, comparison: superiority, treatment: a, control: b, margn: 1}\n")
    with pytest.raises(ClaimError, match="paper.yaml: claim 'x': unknown field"):
        load_claims(bad)
