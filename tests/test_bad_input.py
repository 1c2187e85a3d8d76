"""Bad input fails before any training, naming the file and field; a failed run leaves no metrics.json."""
import shutil
from pathlib import Path
import pytest
from datasets import Dataset
from reasonlab.config import ParamError, project_root
from reasonlab.reproduce import paper_params, reproduce, run_paper
from reasonlab.tasks import DatasetError, ExactAnswerReward
from reasonlab.trainers.grpo import grpo_config, make_grpo_trainer

ROOT = project_root()


def _project_copy(tmp_path, tiny_yaml: str) -> Path:
    "A minimal project tree with the Shuffle-R1 paper and the given tiny.yaml."
    (tmp_path/"nbs"/"papers").mkdir(parents=True)
    shutil.copy(ROOT/"nbs"/"papers"/"shuffle_r1.ipynb", tmp_path/"nbs"/"papers")
    shutil.copytree(ROOT/"papers"/"shuffle-r1", tmp_path/"papers"/"shuffle-r1")
    (tmp_path/"pyproject.toml").write_text("")
    (tmp_path/"papers"/"shuffle-r1"/"tiny.yaml").write_text(tiny_yaml)
    return tmp_path


def test_unknown_parameter_names_file_and_key(tmp_path):
    root = _project_copy(tmp_path, "SEEDS: [0]\nROUNDZ: 3\n")
    with pytest.raises(ParamError, match=r"tiny.yaml: unknown parameter\(s\) \['ROUNDZ'\]"):
        reproduce(["shuffle-r1"], "tiny", tmp_path/"out", root)
    assert not (tmp_path/"out"/"shuffle-r1"/"metrics.json").exists()


def test_seeds_below_one_refused_before_any_run(tmp_path):
    root = _project_copy(tmp_path, "SEEDS: [0]\n")
    with pytest.raises(ParamError, match="--seeds must be at least 1"):
        reproduce(["shuffle-r1"], "tiny", tmp_path/"out", root, seeds=0)
    assert not (tmp_path/"out"/"shuffle-r1").exists()


def test_wrong_type_names_file_and_key(tmp_path):
    root = _project_copy(tmp_path, "ROUNDS: '3'\n")
    with pytest.raises(ParamError, match=r"tiny.yaml: parameter 'ROUNDS' should be int"):
        paper_params("shuffle-r1", "tiny", root)


def test_missing_parameter_file(tmp_path):
    root = _project_copy(tmp_path, "")
    with pytest.raises(ParamError, match="full2.yaml: parameter file not found"):
        paper_params("shuffle-r1", "full2", root)


def test_failed_run_leaves_no_metrics(tmp_path):
    "A run that fails (here: a dataset path that does not exist) is reported as failed, with no metrics.json."
    root = _project_copy(tmp_path, "TRAIN_DATA: /nonexistent/data\nVARIANTS: [grpo_n8]\nSEEDS: [0]\n")
    out = tmp_path/"out"
    (out/"shuffle-r1").mkdir(parents=True)
    (out/"shuffle-r1"/"metrics.json").write_text('{"stale": true}')  # a stale result from an earlier run
    r = run_paper("shuffle-r1", "tiny", out, root, progress=False)
    assert not r["ok"] and not (out/"shuffle-r1"/"metrics.json").exists()
    assert (out/"shuffle-r1"/"error.txt").exists()


@pytest.mark.parametrize("ds,match", [
    (Dataset.from_dict({"prompt": []}), "GRPO train set: the dataset is empty"),
    (Dataset.from_dict({"question": ["1+1?"]}), "GRPO train set: missing column 'prompt'"),
    (Dataset.from_dict({"prompt": [3]}), "GRPO train set: row 0 field 'prompt' should be str or list"),
])
def test_bad_dataset_fails_before_training(tmp_path, ds, match):
    with pytest.raises(DatasetError, match=match):
        make_grpo_trainer("unused-model-id", ExactAnswerReward(), ds, grpo_config(tmp_path))
