"""Settings declared once (mergekit's `options.py` is the model): a setting is a dataclass
field made with `setting()`, carrying its help text, its check and its command-line
spelling; its type is the field's annotation (`int`, `float`, `bool`, `str`, `Path`, an
enum, `list[str]`, another settings class for a nested TOML table, any of them `| None`)
unless `type=` names a converter. From those declarations come:

- validation in the class itself (`Settings.__post_init__`), so the Python API refuses
  what the command line and the files refuse: `Class.field: problem (got value)`;
- the command-line flags (`add_arguments`) and the settings they give (`from_args`), whose
  errors are one line naming the flag: `--flag value: problem`;
- the settings of a TOML table (`from_mapping`), whose errors name the file, the line (given
  a locator) and the dotted key; a nested settings class is a nested table;
- the rows of the docs (`declared`, `help_table`).

A class may be frozen; cross-field checks go in its own `__post_init__` after
`super().__post_init__()`.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import functools
import math
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, Protocol, TypeVar

from codefrontier.errors import ConfigError, InputError

T = TypeVar("T", bound="Settings")
Check = Callable[[Any], str | None]  # returns why a value is refused, or None
MISSING: Any = dataclasses.MISSING  # the default of a setting that must be given


def setting(
    default: Any = MISSING,
    help: str | None = None,
    *,
    type: Callable[[Any], Any] | None = None,
    check: Check | None = None,
    choices: Iterable[Any] | None = None,
    metavar: str | None = None,
    cli: bool = True,
    nargs: str | None = None,
    flag: str | None = None,
    none: str | None = None,
    invert: str | None = None,
    also: Iterable[tuple[str, Any, str]] = (),
) -> Any:
    """A settings field.

    `default` (left out: the setting must be given); `help` (shown by --help and in the
    docs; the default is added unless the text already speaks of it, or formats it with
    `{default}`); `type` (a converter, when the annotation is not one of the types above);
    `check` (returns why a value is refused); `choices`; `cli` (whether it is a flag);
    `nargs`, `metavar` and `flag` (default `--<name-with-dashes>`) for the flag; `none`
    (a word that means None, on the command line and as a string value); `invert` (a
    boolean that the command line turns on by default and this flag turns off, such as
    `--quiet`); `also` ((flag, value, help) aliases that set a fixed value)."""
    if help is None:
        raise TypeError("a setting needs its help text")
    meta = {
        "help": help,
        "type": type,
        "check": check,
        "choices": tuple(choices) if choices is not None else None,
        "metavar": metavar,
        "cli": cli,
        "nargs": nargs,
        "flag": flag,
        "none": none,
        "invert": invert,
        "also": tuple(also),
    }
    if default is not MISSING and getattr(default.__class__, "__hash__", None) is None:  # list, dict, ...
        return dataclasses.field(default_factory=lambda: copy.deepcopy(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


# -- checks ------------------------------------------------------------------------------------
def positive(value: Any) -> str | None:
    return None if _finite(value) and value > 0 else "must be a positive number"


def non_negative(value: Any) -> str | None:
    return None if _finite(value) and value >= 0 else "must be zero or more"


def at_least(low: float) -> Check:
    def check(value: Any) -> str | None:
        return None if _finite(value) and value >= low else f"must be at least {_number(low)}"

    return check


def in_range(low: float, high: float) -> Check:
    def check(value: Any) -> str | None:
        return (
            None
            if _finite(value) and low <= value <= high
            else f"must be between {_number(low)} and {_number(high)}"
        )

    return check


def checked_by(refuse: Callable[[Any], Any]) -> Check:
    """A check from a function that raises ConfigError for a value it refuses (its message
    is the problem)."""

    def check(value: Any) -> str | None:
        try:
            refuse(value)
        except ConfigError as exc:
            return str(exc)
        return None

    return check


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# -- the declarations --------------------------------------------------------------------------
class Declared(NamedTuple):
    """One setting as the docs show it."""

    name: str
    type: Any  # the field's annotation
    default: Any  # MISSING when the setting must be given
    help: str


class _Spec(NamedTuple):
    name: str
    hint: Any
    convert: Any  # a type from the annotation, or the `type=` converter, or None
    default: Any
    meta: Mapping[str, Any]

    @property
    def flag(self) -> str:
        return self.meta["flag"] or "--" + self.name.replace("_", "-")

    @property
    def is_bool(self) -> bool:
        return self.convert is bool or (self.convert is None and isinstance(self.default, bool))

    @property
    def nested(self) -> type[Settings] | None:
        convert = self.convert
        return convert if isinstance(convert, type) and issubclass(convert, Settings) else None


class _Refused(Exception):
    def __init__(self, problem: str) -> None:
        self.problem = problem


class Locator(Protocol):
    """Names the file and the line of a dotted key (experiment.config.read_toml's)."""

    def error(self, dotted: str, message: str) -> InputError: ...


@functools.cache
def _specs(cls: type) -> tuple[_Spec, ...]:
    try:
        hints = typing.get_type_hints(cls)
    except NameError as exc:  # the types are read at run time: no names imported for type checkers only
        raise TypeError(
            f"settings class {cls.__name__}: an annotation names what is not imported: {exc}"
        ) from None
    specs = []
    for f in dataclasses.fields(cls):
        if "help" not in f.metadata or "cli" not in f.metadata:
            continue  # a plain field (filled in by code), not a setting
        hint = hints.get(f.name, f.type)
        if f.default is not MISSING:
            default = f.default
        elif f.default_factory is not MISSING:
            default = f.default_factory()
        else:
            default = MISSING
        convert = f.metadata["type"] or _inferred(hint)
        specs.append(_Spec(f.name, hint, convert, default, f.metadata))
    return tuple(specs)


def _inferred(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(inner) != 1:
            return None
        hint = inner[0]
    if hint in (int, float, bool, str, Path):
        return hint
    if isinstance(hint, type) and issubclass(hint, (Enum, Settings)):
        return hint
    if typing.get_origin(hint) is list and typing.get_args(hint)[:1] in ((int,), (float,), (str,)):
        return hint
    return None


def declared(cls: type) -> list[Declared]:
    """(name, type, default, help) of every setting of a settings class."""
    return [Declared(s.name, s.hint, s.default, s.meta["help"]) for s in _specs(cls)]


# -- values --------------------------------------------------------------------------------------
_NOUNS = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}


def _validated(value: Any, spec: _Spec) -> Any:
    """`value` converted to the setting's type and checked; raises _Refused."""
    meta = spec.meta
    if isinstance(value, str) and meta["none"] is not None and value == meta["none"]:
        return None
    if value is None:
        return None
    try:
        value = _converted(value, spec.convert)
    except _Refused:
        if meta["choices"] and not _among(value, meta["choices"]):
            raise _Refused(_choose(meta["choices"])) from None
        raise
    check = meta["check"]
    problem = check(value) if check is not None else None
    if problem is None and meta["choices"] and not _among(value, meta["choices"]):
        problem = _choose(meta["choices"])
    if problem is not None:
        raise _Refused(problem)
    return value


def _converted(value: Any, convert: Any) -> Any:
    if convert is None:
        return value
    if convert in _NOUNS:
        ok = isinstance(value, convert) and not (convert is not bool and isinstance(value, bool))
        if convert is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if convert is int and isinstance(value, float) and value.is_integer():
            return int(value)
        if not ok:
            raise _Refused(f"must be {_NOUNS[convert]}")
        return value
    if typing.get_origin(convert) is list:
        (item,) = typing.get_args(convert)
        if not isinstance(value, list) or not all(_is(v, item) for v in value):
            raise _Refused(f"must be a list of {_NOUNS[item].split(' ', 1)[1]}s")
        return value
    if isinstance(convert, type) and isinstance(value, convert):
        return value
    if isinstance(convert, type) and issubclass(convert, Settings):
        if not isinstance(value, Mapping):
            raise _Refused("must be a table")
        return convert.from_mapping(value)
    try:
        return convert(value)
    except (ValueError, TypeError, ConfigError) as exc:
        raise _Refused(str(exc) or "is not valid") from None


def _is(value: Any, kind: type) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, kind) and not isinstance(value, bool)


def _among(value: Any, choices: tuple[Any, ...]) -> bool:
    return value in choices or str(value) in {str(c) for c in choices}


def _choose(choices: tuple[Any, ...]) -> str:
    return f"choose one of {', '.join(_shown(c) for c in choices)}"


def _shown(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _help_text(spec: _Spec) -> str:
    """The field's help as --help and the docs show it."""
    text, default = spec.meta["help"], spec.default
    if "{default" in text:
        return text.format(default=_shown(default))
    if "default" in text or default is None or default is MISSING or isinstance(default, bool):
        return text
    none = spec.meta["none"]
    return f"{text} (default {_shown(default)}{f'; {none}: none' if none is not None else ''})"


# -- the class ---------------------------------------------------------------------------------
class Settings:
    """Mixin for a dataclass of `setting()` fields."""

    section: ClassVar[str] = ""  # the TOML table these settings come from (for messages)

    def __post_init__(self) -> None:
        for spec in _specs(type(self)):
            value = getattr(self, spec.name)
            try:
                converted = _validated(value, spec)
            except _Refused as refused:
                raise ConfigError(
                    f"{type(self).__name__}.{spec.name}: {refused.problem} (got {value!r})"
                ) from None
            if converted is not value:
                object.__setattr__(self, spec.name, converted)

    # -- command line -------------------------------------------------------------------------
    @classmethod
    def add_arguments(
        cls,
        parser: argparse.ArgumentParser | Any,
        *,
        only: Iterable[str] | None = None,
        exclude: Iterable[str] = (),
    ) -> None:
        """One flag per setting (but those not `cli`, in `exclude` or not in `only`), with
        the field's help; its value lands under the field's name. Text that does not parse
        is refused by argparse; a value that parses is checked by `from_args`."""
        wanted = set(only) if only is not None else None
        for spec in _specs(cls):
            if (
                not spec.meta["cli"]
                or spec.name in exclude
                or (wanted is not None and spec.name not in wanted)
            ):
                continue
            _add_flag(parser, spec)

    @classmethod
    def from_args(cls: type[T], args: argparse.Namespace, **overrides: Any) -> T:
        """The settings the parsed flags give (settings not on `args` keep their defaults);
        a refused value is a one-line ConfigError naming its flag."""
        values: dict[str, Any] = {}
        for spec in _specs(cls):
            if spec.name in overrides or not hasattr(args, spec.name):
                continue
            value = getattr(args, spec.name)
            try:
                values[spec.name] = _validated(value, spec)
            except _Refused as refused:
                raise ConfigError(f"{spec.flag} {value!r}: {refused.problem}") from None
        return cls(**values, **overrides)

    # -- files ----------------------------------------------------------------------------------
    @classmethod
    def from_mapping(
        cls: type[T],
        obj: Mapping[str, Any],
        *,
        path: Path | str | None = None,
        section: str | None = None,
        where: Locator | None = None,
    ) -> T:
        """Settings from a TOML table: an unknown key, a value of the wrong type, a refused
        value or a missing setting names the file and the dotted key (and its line, given
        `where`). A nested settings class reads a nested table, its defaults when left out."""
        table = cls.section if section is None else section

        def fail(dotted: str, message: str) -> InputError:
            return (
                where.error(dotted, message)
                if where is not None
                else InputError(message, path=path, field=dotted)
            )

        if not isinstance(obj, Mapping):
            raise fail(table, "must be a table")
        specs = {s.name: s for s in _specs(cls)}
        values: dict[str, Any] = {}
        for key, value in obj.items():
            name, dotted = key.replace("-", "_"), _key(table, key)
            spec = specs.get(name)
            if spec is None:
                place = f"[{table}]" if table else "the top level"
                raise fail(dotted, f"unknown key {key!r} in {place}; known keys: {', '.join(sorted(specs))}")
            if spec.nested is not None and isinstance(value, Mapping):
                values[name] = spec.nested.from_mapping(value, path=path, section=dotted, where=where)
                continue
            try:
                values[name] = _validated(value, spec)
            except _Refused as refused:
                raise fail(dotted, f"{refused.problem} (got {value!r})") from None
        for spec in specs.values():
            if spec.name in values:
                continue
            dotted = _key(table, spec.name)
            if spec.nested is not None:
                if spec.default is MISSING:
                    raise fail(dotted, f"missing: give a [{dotted}] table ({spec.meta['help']})")
                values[spec.name] = spec.nested.from_mapping({}, path=path, section=dotted, where=where)
            elif spec.default is MISSING:
                raise fail(dotted, f"missing ({spec.meta['help']})")
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        return {f.name: _shown(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    @classmethod
    def help_table(cls) -> list[tuple[str, str, str]]:
        """(key, default, help) per setting, for the docs."""
        return [
            (s.name, "(required)" if s.default is MISSING else repr(_shown(s.default)), _help_text(s))
            for s in _specs(cls)
        ]


def _key(section: str, key: str) -> str:
    return f"{section}.{key}" if section else key


def _add_flag(parser: Any, spec: _Spec) -> None:
    meta, text = spec.meta, _help_text(spec)
    if spec.is_bool:
        if meta["invert"]:
            parser.add_argument(meta["invert"], dest=spec.name, action="store_false", help=text)
        elif spec.default is True:
            parser.add_argument(
                f"--no-{spec.name.replace('_', '-')}", dest=spec.name, action="store_false", help=text
            )
        else:
            parser.add_argument(spec.flag, dest=spec.name, action="store_true", help=text)
    else:
        kwargs: dict[str, Any] = {"dest": spec.name, "help": text, "type": _parser(spec)}
        if spec.default is MISSING:
            kwargs["required"] = True
        else:
            kwargs["default"] = copy.deepcopy(spec.default)
        if meta["choices"]:
            extra = (meta["none"],) if meta["none"] is not None else ()
            kwargs["choices"] = (*(str(_shown(c)) for c in meta["choices"]), *extra)
        if meta["metavar"]:
            kwargs["metavar"] = meta["metavar"]
        if meta["nargs"] or typing.get_origin(spec.convert) is list:
            kwargs["nargs"] = meta["nargs"] or "+"
        parser.add_argument(spec.flag, **kwargs)
    for alias, value, alias_help in meta["also"]:
        parser.add_argument(alias, dest=spec.name, action="store_const", const=value, help=alias_help)


def _parser(spec: _Spec) -> Callable[[str], Any]:
    """Text to a value of the setting's type (argparse refuses text that does not parse)."""
    convert, none = spec.convert, spec.meta["none"]
    if typing.get_origin(convert) is list:
        convert = typing.get_args(convert)[0]
    if spec.meta["choices"] or convert in (None, str):
        convert = None  # choices are compared as text; the class converts them
    plain = convert in (int, float, Path)  # argparse says "invalid int value: 'x'"

    def parse(text: str) -> Any:
        if convert is None or text == none:
            return text
        if plain:
            return convert(text)
        try:
            return convert(text)
        except (ValueError, TypeError, ConfigError) as exc:
            raise argparse.ArgumentTypeError(f"invalid value {text!r}: {exc}") from None

    parse.__name__ = convert.__name__ if plain else spec.name
    return parse
