"""A setting is declared once (codefrontier/settings.py): the class checks its own values,
the command-line flags and the TOML table are generated from the same fields, and an error
names what the user wrote — the field, the flag, or the file, line and key."""

from __future__ import annotations

import argparse
from dataclasses import FrozenInstanceError, dataclass
from pathlib import Path

import pytest

from codefrontier.cli import main
from codefrontier.errors import ConfigError, InputError
from codefrontier.judge import JudgeConfig, Mode
from codefrontier.settings import Settings, at_least, declared, positive, setting


@dataclass(frozen=True)
class Pool(Settings):
    section = "pool"

    workers: int = setting(4, "worker processes", check=at_least(1))
    scale: float = setting(1.0, "time scale", check=positive)
    colour: str = setting("red", "a colour", choices=("red", "green"))
    digest: str | None = setting(
        "sha256", "digest (default sha256)", flag="--hash", choices=("sha256", "md5"), none="none",
        also=[("--no-hash", None, "no digest")],
    )  # fmt: skip
    seed: int | None = setting(0, "random seed", none="-1")
    fsync: bool = setting(False, "fsync outputs")
    progress: bool = setting(False, "no progress bar", invert="--quiet")
    tags: list[str] = setting(["a"], "tags")
    note: str | None = setting(None, "never a flag", cli=False)


@dataclass
class Outer(Settings):
    name: str = setting(help="the run's name")
    pool: Pool = setting(None, "the worker pool")


def parser_for(cls: type[Settings], **kwargs: object) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="test", exit_on_error=False)
    cls.add_arguments(parser, **kwargs)  # type: ignore[arg-type]
    return parser


def test_flags_are_generated_from_the_fields_with_their_help_and_defaults() -> None:
    flags = parser_for(Pool)._option_string_actions

    assert flags["--workers"].dest == "workers" and flags["--workers"].help == "worker processes (default 4)"
    assert flags["--scale"].help == "time scale (default 1.0)"
    assert flags["--colour"].choices == ("red", "green")
    assert flags["--hash"].dest == "digest" and flags["--hash"].choices == ("sha256", "md5", "none")
    assert flags["--hash"].help == "digest (default sha256)"  # the help already says its default
    assert flags["--no-hash"].dest == "digest" and flags["--no-hash"].help == "no digest"
    assert flags["--seed"].help == "random seed (default 0; -1: none)"
    assert flags["--quiet"].dest == "progress" and "--progress" not in flags
    assert flags["--tags"].nargs == "+"
    assert "--note" not in flags
    assert set(parser_for(Pool, only=["workers"])._option_string_actions) == {"-h", "--help", "--workers"}
    assert "--scale" not in parser_for(Pool, exclude=["scale"])._option_string_actions


def test_no_flags_give_the_defaults_and_the_inverted_flag_its_command_line_default() -> None:
    args = parser_for(Pool).parse_args([])

    assert Pool.from_args(args) == Pool(progress=True)  # the command line shows progress unless --quiet


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--workers", "2", "--scale", "3"], {"workers": 2, "scale": 3.0}),
        (["--hash", "none"], {"digest": None}),
        (["--no-hash"], {"digest": None}),
        (["--seed", "-1"], {"seed": None}),
        (["--fsync", "--quiet"], {"fsync": True, "progress": False}),
        (["--tags", "x", "y", "--colour", "green"], {"tags": ["x", "y"], "colour": "green"}),
    ],
)
def test_flags_become_the_settings_they_name(argv: list[str], expected: dict[str, object]) -> None:
    args = parser_for(Pool).parse_args(argv)

    assert Pool.from_args(args) == Pool(**{"progress": True, **expected})


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--workers", "0"], "--workers 0: must be at least 1"),
        (["--scale", "nan"], "--scale nan: must be a positive number"),
        (["--seed", "-2"], None),  # no check on seed: any integer but the word for None is a seed
    ],
)
def test_a_refused_flag_value_is_one_line_naming_the_flag(argv: list[str], message: str | None) -> None:
    args = parser_for(Pool).parse_args(argv)
    if message is None:
        assert Pool.from_args(args).seed == -2
        return
    with pytest.raises(ConfigError) as caught:
        Pool.from_args(args)
    assert str(caught.value) == message


def test_text_that_does_not_parse_is_refused_by_the_parser() -> None:
    with pytest.raises(argparse.ArgumentError, match="invalid int value: 'many'"):
        parser_for(Pool).parse_args(["--workers", "many"])
    with pytest.raises(argparse.ArgumentError, match="invalid choice"):
        parser_for(Pool).parse_args(["--colour", "blue"])


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"time_scale": -1}, "JudgeConfig.time_scale: must be a positive number (got -1)"),
        ({"time_scale": float("nan")}, "JudgeConfig.time_scale: must be a positive number (got nan)"),
        ({"wall_factor": 0.5}, "JudgeConfig.wall_factor: must be at least 1 (got 0.5)"),
        ({"retries": 1.5}, "JudgeConfig.retries: must be an integer (got 1.5)"),
        ({"retries": True}, "JudgeConfig.retries: must be an integer (got True)"),
        ({"mode": "sometimes"}, "JudgeConfig.mode: choose one of all, first-fail (got 'sometimes')"),
        ({"isolation": "chroot"}, "JudgeConfig.isolation: choose one of auto, full, namespaces, rlimits"),
    ],
)
def test_the_class_refuses_what_the_command_line_refuses(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        JudgeConfig(**values)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def test_the_class_converts_what_it_accepts() -> None:
    config = JudgeConfig(mode="first-fail", time_scale=2, level="0.5")  # type: ignore[arg-type]

    assert (
        config.mode is Mode.FIRST_FAIL and config.time_scale == 2.0 and isinstance(config.time_scale, float)
    )
    assert config.level == 0.5
    assert Pool(digest="none").digest is None  # the word for None, as a string value too
    with pytest.raises(FrozenInstanceError):
        Pool().workers = 3  # type: ignore[misc]


def test_the_judge_command_refuses_a_bad_value_in_one_line_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "store"
    code = main(["judge", "--benchmark", "bundled", "--solutions", "--out", str(out), "--time-scale", "-1"])

    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err == "codefrontier judge: error: --time-scale -1.0: must be a positive number\n"


def test_a_toml_table_gives_the_settings_and_a_left_out_nested_table_its_defaults() -> None:
    outer = Outer.from_mapping(
        {"name": "run", "pool": {"workers": 2, "scale": 3, "digest": "none"}}, path="x.toml"
    )

    assert outer.pool == Pool(workers=2, scale=3.0, digest=None)
    assert Outer.from_mapping({"name": "run"}).pool == Pool()
    assert JudgeConfig.from_mapping({"time-scale": 2, "mode": "first-fail"}).mode is Mode.FIRST_FAIL


@pytest.mark.parametrize(
    ("table", "field", "message"),
    [
        ({"name": "r", "pool": {"workrs": 2}}, "pool.workrs",
         "unknown key 'workrs' in [pool]; known keys: colour, digest, fsync, note, progress, scale, seed, tags, workers"),
        ({"name": "r", "pool": {"workers": "two"}}, "pool.workers", "must be an integer (got 'two')"),
        ({"name": "r", "pool": {"workers": 0}}, "pool.workers", "must be at least 1 (got 0)"),
        ({"name": "r", "pool": {"tags": ["a", 1]}}, "pool.tags", "must be a list of strings (got ['a', 1])"),
        ({"name": "r", "pool": {"fsync": "yes"}}, "pool.fsync", "must be true or false (got 'yes')"),
        ({"name": "r", "pool": 3}, "pool", "must be a table (got 3)"),
        ({"pool": {}}, "name", "missing (the run's name)"),
        ({"name": "r", "extra": 1}, "extra", "unknown key 'extra' in the top level; known keys: name, pool"),
    ],
)  # fmt: skip
def test_a_toml_error_names_the_file_and_the_key(table: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        Outer.from_mapping(table, path="exp.toml")

    assert caught.value.field == field
    assert str(caught.value) == f"exp.toml: field '{field}': {message}"


def test_a_toml_error_names_the_line_through_the_files_locator(tmp_path: Path) -> None:
    from codefrontier.experiment.config import read_toml

    path = tmp_path / "exp.toml"
    path.write_text('name = "run"\n\n[pool]\nworkers = 4\nscale = -2\n')
    raw, _, where = read_toml(path)

    with pytest.raises(InputError) as caught:
        Outer.from_mapping(raw, where=where)
    assert str(caught.value) == f"{path}:5: field 'pool.scale': must be a positive number (got -2)"


def test_the_judge_table_names_its_section() -> None:
    with pytest.raises(InputError, match=r"x.toml: field 'judge.time_scale': must be a positive number"):
        JudgeConfig.from_mapping({"time_scale": 0}, path="x.toml")


def test_help_table_and_declared_list_every_setting_with_its_default_and_help() -> None:
    rows = {key: (default, text) for key, default, text in JudgeConfig.help_table()}

    assert rows["mode"] == (
        "'all'",
        "all: run every test (the frontier needs it); first-fail: stop at the first failure (default all)",
    )
    assert rows["time_scale"][0] == "1.0" and rows["time_scale"][1].endswith("(default 1.0)")
    assert [row.name for row in declared(JudgeConfig)] == list(rows)
    assert ("name", "(required)", "the run's name") in Outer.help_table()
    assert [row.name for row in declared(Outer)] == ["name", "pool"]


def test_a_setting_without_help_is_refused_at_declaration() -> None:
    with pytest.raises(TypeError, match="needs its help text"):
        setting(1)
