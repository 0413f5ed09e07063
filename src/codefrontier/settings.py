"""Settings declared once (mergekit's `options.py` is the model): a setting is a dataclass
field made with `setting()`, carrying its help text, its type, its check and its command-line
spelling. The class validates itself (`Settings.__post_init__`), so the Python API refuses
what the command line refuses; the command-line flags (`add_arguments`), the parsing of
an argparse namespace (`from_args`) and of a TOML table (`from_mapping`, errors naming the
file and key) are generated from the fields, never written out again.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from codefrontier.errors import ConfigError, InputError

T = TypeVar("T", bound="Settings")
Check = Callable[[Any], str | None]  # returns why a value is refused, or None


def setting(
    default: Any,
    help: str,
    *,
    type: Callable[[Any], Any] | None = None,
    check: Check | None = None,
    choices: Iterable[Any] | None = None,
    metavar: str | None = None,
    cli: bool = True,
    nargs: str | None = None,
) -> Any:
    """A settings field: `default`, `help` (shown by --help and in the docs), `type` (a
    converter from text or TOML values), `check` (returns why a value is refused),
    `choices`, and whether it has a command-line flag."""
    meta = {
        "help": help,
        "type": type,
        "check": check,
        "choices": tuple(choices) if choices is not None else None,
        "metavar": metavar,
        "cli": cli,
        "nargs": nargs,
    }
    if isinstance(default, (list, dict, set)):
        return dataclasses.field(default_factory=lambda: copy.copy(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


# -- checks ------------------------------------------------------------------------------------
def positive(value: Any) -> str | None:
    return None if _finite(value) and value > 0 else "must be a positive number"


def non_negative(value: Any) -> str | None:
    return None if _finite(value) and value >= 0 else "must be zero or more"


def at_least(low: float) -> Check:
    def check(value: Any) -> str | None:
        return None if _finite(value) and value >= low else f"must be at least {low:g}"

    return check


def in_range(low: float, high: float) -> Check:
    def check(value: Any) -> str | None:
        return None if _finite(value) and low <= value <= high else f"must be between {low:g} and {high:g}"

    return check


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class Settings:
    """Mixin for a dataclass of `setting()` fields."""

    section: ClassVar[str] = ""  # the TOML table these settings come from (for messages)

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            meta = f.metadata
            if not meta:
                continue
            value = getattr(self, f.name)
            converted = _convert(value, meta, f.name, type(self).__name__)
            if converted is not value:
                object.__setattr__(self, f.name, converted)
            problem = _problem_with(converted, meta)
            if problem is not None:
                raise ConfigError(f"{type(self).__name__}.{f.name}: {problem} (got {value!r})")

    # -- command line -------------------------------------------------------------------------
    @classmethod
    def add_arguments(
        cls,
        parser: argparse.ArgumentParser | Any,
        *,
        only: Iterable[str] | None = None,
        exclude: Iterable[str] = (),
    ) -> None:
        wanted = set(only) if only is not None else None
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            meta = f.metadata
            if (
                not meta
                or not meta["cli"]
                or f.name in exclude
                or (wanted is not None and f.name not in wanted)
            ):
                continue
            flag = "--" + f.name.replace("_", "-")
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
            kwargs: dict[str, Any] = {
                "help": _help(meta["help"], default),
                "default": argparse.SUPPRESS,
                "dest": f.name,
            }
            if isinstance(default, bool) and meta["type"] in (None, bool):
                kwargs["action"] = argparse.BooleanOptionalAction
            else:
                kwargs["type"] = _cli_type(meta, f.name)
                if meta["choices"]:
                    kwargs["choices"] = [str(c) for c in meta["choices"]]
                    kwargs["type"] = str
                if meta["metavar"]:
                    kwargs["metavar"] = meta["metavar"]
                if meta["nargs"]:
                    kwargs["nargs"] = meta["nargs"]
            parser.add_argument(flag, **kwargs)

    @classmethod
    def from_args(cls: type[T], args: argparse.Namespace, **overrides: Any) -> T:
        """The settings given on the command line (flags not given keep their defaults)."""
        values = {f.name: getattr(args, f.name) for f in dataclasses.fields(cls) if hasattr(args, f.name)}  # type: ignore[arg-type]
        values.update(overrides)
        return cls(**values)

    # -- files ----------------------------------------------------------------------------------
    @classmethod
    def from_mapping(
        cls: type[T], obj: Mapping[str, Any], *, path: Path | str | None = None, section: str | None = None
    ) -> T:
        """Settings from a TOML table; an unknown key or a bad value names the file and key."""
        where = section if section is not None else cls.section
        names = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        values: dict[str, Any] = {}
        for key, value in obj.items():
            field_name = key.replace("-", "_")
            if field_name not in names:
                raise InputError(
                    f"unknown key; known: {', '.join(sorted(names))}", path=path, field=_key(where, key)
                )
            meta = names[field_name].metadata
            try:
                converted = _convert(value, meta, key, "") if meta else value
            except ConfigError as exc:
                raise InputError(str(exc).split(": ", 1)[-1], path=path, field=_key(where, key)) from None
            problem = _problem_with(converted, meta) if meta else None
            if problem is not None:
                raise InputError(f"{problem} (got {value!r})", path=path, field=_key(where, key))
            values[field_name] = converted
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        out = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            out[f.name] = (
                value.value if hasattr(value, "value") and not isinstance(value, (int, float)) else value
            )
        return out

    @classmethod
    def help_table(cls) -> list[tuple[str, str, str]]:
        """(key, default, help) per field, for the docs."""
        rows = []
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.metadata:
                default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
                rows.append((f.name, repr(default), f.metadata["help"]))
        return rows


def _key(section: str, key: str) -> str:
    return f"{section}.{key}" if section else key


def _help(text: str, default: Any) -> str:
    if default is None or isinstance(default, bool):
        return text
    shown = default.value if hasattr(default, "value") and not isinstance(default, (int, float)) else default
    return f"{text} (default {shown})"


def _cli_type(meta: Mapping[str, Any], name: str) -> Callable[[str], Any]:
    convert = meta["type"]

    def parse(text: str) -> Any:
        try:
            value = convert(text) if convert is not None else text
        except (ValueError, TypeError, ConfigError) as exc:
            raise argparse.ArgumentTypeError(f"invalid value {text!r}: {exc}") from None
        problem = _problem_with(value, meta)
        if problem is not None:
            raise argparse.ArgumentTypeError(f"{problem} (got {text!r})")
        return value

    parse.__name__ = name
    return parse


def _convert(value: Any, meta: Mapping[str, Any], name: str, owner: str) -> Any:
    convert = meta.get("type")
    if convert is None or value is None:
        return value
    if convert in (int, float) and isinstance(value, bool):
        raise ConfigError(f"{owner}.{name}: must be a number, got {value!r}")
    if convert is int and isinstance(value, float) and not value.is_integer():
        raise ConfigError(f"{owner}.{name}: must be a whole number, got {value!r}")
    if isinstance(convert, type) and isinstance(value, convert):
        return value
    try:
        return convert(value)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{owner}.{name}: {exc}") from None


def _problem_with(value: Any, meta: Mapping[str, Any]) -> str | None:
    choices = meta.get("choices")
    if choices and value not in choices and str(value) not in {str(c) for c in choices}:
        return f"must be one of {', '.join(str(c) for c in choices)}"
    check = meta.get("check")
    if check is not None and value is not None:
        return check(value)
    return None
