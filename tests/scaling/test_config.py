"""The scaling experiment file: declared settings, checked before any work, errors that
name the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from codefrontier.cli import main
from codefrontier.errors import InputError
from codefrontier.scaling import load_scaling_experiment
from codefrontier.scaling.config import TABLES
from codefrontier.settings import declared

BASE = """\
benchmark = "bundled"
problems = ["alloy-bar-fusion"]

[agent]
model = "http://127.0.0.1:9/v1"

[scaling]
n = 4
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(text)
    return path


def error_of(tmp_path: Path, text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        load_scaling_experiment(write(tmp_path, text))
    return caught.value


def test_defaults_are_the_published_recipe(tmp_path):
    exp = load_scaling_experiment(write(tmp_path, BASE.replace("n = 4\n", "")))
    s = exp.scaling
    assert (s.n, s.group_size, s.votes, s.k, s.rounds) == (16, 2, 8, 4, 1)
    assert exp.judge.model == exp.agent.model  # the judge defaults to the agent's model
    assert exp.summarizer.model is None  # the deterministic summarizer
    assert exp.pool == 32 and exp.run_dir == tmp_path / "exp"


def test_n_smaller_than_k_names_the_line_and_the_key(tmp_path):
    error = error_of(tmp_path, BASE + "k = 6\n")
    assert error.line == 9 and error.field == "scaling.k"
    assert "K = 6 summaries cannot be chosen from N = 4 rollouts" in str(error)
    assert str(error).startswith(f"{tmp_path / 'exp.toml'}:9: field 'scaling.k': ")


def test_g_larger_than_n_is_refused(tmp_path):
    error = error_of(tmp_path, BASE + "group_size = 5\n")
    assert error.field == "scaling.group_size" and "larger than N = 4" in str(error)


def test_an_empty_task_list_is_refused(tmp_path):
    error = error_of(tmp_path, BASE.replace('["alloy-bar-fusion"]', "[]"))
    assert error.field == "problems" and error.line == 2 and "no task to run" in str(error)


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ("votes = 0\n", "scaling.votes", "must be at least 1"),
        (
            "vots = 3\n",
            "scaling.vots",
            "unknown key 'vots' in [scaling]; known keys: group_size, k, majority_inputs",
        ),
        ('n = "four"\n', "scaling.n", "must be an integer"),
        ("[judge]\ntemperature = -1\n", "judge.temperature", "must be at least 0"),
        ('[sandbox]\nisolation = "chroot"\n', "sandbox.isolation", "choose auto or one of"),
    ],
)
def test_bad_values_name_their_key(tmp_path, extra, field, message):
    text = BASE.replace("n = 4\n", "") + extra if extra.startswith("n =") else BASE + extra
    error = error_of(tmp_path, text)
    assert error.field == field and message in str(error)


def test_unknown_methods_and_a_missing_agent_are_refused(tmp_path):
    error = error_of(tmp_path, 'methods = ["pdr", "beam"]\n' + BASE)
    assert error.field == "methods" and "unknown method(s) 'beam'" in str(error)
    error = error_of(tmp_path, 'benchmark = "bundled"\n')
    assert error.field == "agent" and "give a [agent] table" in str(error)


def test_every_setting_has_help_text():
    for cls in TABLES.values():
        for name, _, _, help_text in declared(cls):
            assert help_text, f"{cls.__name__}.{name}"


def test_scale_check_exits_2_with_one_line_for_an_unreachable_endpoint(tmp_path, capsys):
    status = main(["scale", "check", str(write(tmp_path, BASE))])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1
    assert "field 'agent.model'" in err and "cannot reach http://127.0.0.1:9/v1" in err


def test_the_docs_list_every_setting():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "scaling.md").read_text()
    from codefrontier.scaling.config import ScalingExperiment

    for name, _, _, _ in declared(ScalingExperiment):
        assert f"`{name}`" in docs or f"`[{name}]`" in docs, name
    for cls in TABLES.values():
        for name, _, _, _ in declared(cls):
            assert f"`{name}`" in docs, f"{cls.__name__}.{name}"
