"""What a program's `--help` (or man page) says about how to call it.

`parse_help` reads GNU-style help text:

* the usage line (`Usage: prog [OPTION]... SET1 [SET2]`) gives the positional operands,
  required or optional and repeatable (`...`);
* option lines (`  -w, --width=WIDTH   use WIDTH columns`) give each option's short and
  long names, whether it takes an argument (and its metavariable) and its description;
* `WHEN can be: a, b, c` in a description, or a block `STYLE is one of:` followed by
  indented `value  meaning` lines, give an argument's choices;
* a `Commands:` section gives subcommands;
* the whole text gives input-format hints (expressions, base64, CSV, JSON, numbers).

Metavariables are typed by name (`kind_of`), which decides how the fuzzer fills them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_FORM_TEXT = r"(?:-\w|--\w[\w-]*)(?:\[?=[^\s\]]+\]?| [A-Z][A-Z0-9_-]*)?"
_OPTION_LINE = re.compile(rf"^\s{{1,12}}({_FORM_TEXT}(?:,\s*{_FORM_TEXT})*)(?:\s+(.*))?$")
_FORM = re.compile(r"^(--?[\w][\w-]*)(?:(\[?=)([^\s\]]+)\]?|\s+([A-Z][A-Z0-9_-]*))?$")
_CHOICES_INLINE = re.compile(
    r"\b([A-Z][A-Z0-9_]*) (?:can be|is one of|must be one of)[:\s]+([\w-]+(?:\s*(?:,|\bor\b|\|)\s*[\w-]+)+)"
)
_CHOICES_BLOCK = re.compile(r"^([A-Z][A-Z0-9_]*) (?:is|can be) one of:?\s*$")
_USAGE = re.compile(r"^\s*usage:\s*(\S+)(.*)$", re.IGNORECASE)

KINDS = {
    "number": ("N", "NUM", "NUMBER", "COLS", "WIDTH", "DIGITS", "COUNT", "SIZE", "INT", "LINES", "BYTES"),
    "list": ("LIST", "FIELDS", "RANGE"),
    "char": ("DELIM", "CHAR", "SEP", "SEPARATOR"),
    "string": ("STRING", "TEXT", "WORD", "PATTERN", "PREFIX", "SUFFIX"),
    "set": ("SET", "SET1", "SET2", "CHARS"),
    "expression": ("EXPR", "EXPRESSION", "FORMULA"),
    "file": ("FILE", "INPUT", "OUTPUT", "PATH", "DIR"),
}


def kind_of(metavar: str) -> str:
    name = metavar.strip("[]=.").upper()
    for kind, names in KINDS.items():
        if name in names or any(name.startswith(n) and name[len(n) :].isdigit() for n in names):
            return kind
    return "word"


@dataclass
class Option:
    short: str | None
    long: str | None
    metavar: str | None = None  # None: a flag
    optional_arg: bool = False
    description: str = ""
    choices: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.long or self.short or "?"

    @property
    def kind(self) -> str:
        if self.metavar is None:
            return "flag"
        return "choice" if self.choices else kind_of(self.metavar)

    @property
    def is_meta(self) -> bool:
        """--help and --version: they print and exit, whatever else is given."""
        return self.long in ("--help", "--version") or self.short in ("-h",) and "help" in self.description


@dataclass
class Operand:
    metavar: str
    required: bool
    repeated: bool

    @property
    def kind(self) -> str:
        return kind_of(self.metavar)


@dataclass
class CommandSpec:
    program: str = ""
    options: list[Option] = field(default_factory=list)
    operands: list[Operand] = field(default_factory=list)
    options_required: bool = False  # `OPTION...` rather than `[OPTION]...`
    subcommands: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)  # input-format hints, strongest first

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if name in (o.short, o.long)), None)


def parse_help(text: str) -> CommandSpec:
    spec = CommandSpec()
    lines = text.splitlines()
    _parse_usage(lines, spec)
    choices = _choice_blocks(lines)
    last: Option | None = None
    in_commands = False
    blocks = 0  # option blocks seen; a later block must start with a long option
    in_block = False
    for line in lines:
        if not line.strip():
            in_block, last = False, None
            continue
        if re.match(r"^\s*(commands|subcommands):\s*$", line, re.IGNORECASE):
            in_commands = True
            continue
        if in_commands:
            m = re.match(r"^\s{2,}([a-z][\w-]*)\s{2,}", line)
            if m:
                spec.subcommands.append(m.group(1))
                continue
            if line.strip():
                in_commands = False
        option = _parse_option_line(line)
        if option is not None and any((o.short, o.long) == (option.short, option.long) for o in spec.options):
            last = None  # the same option again (help text and man page both given)
        elif option is not None and (in_block or blocks == 0 or option.long is not None):
            # (`  -M    from first to M'th` in a LIST explanation is not an option)
            if not in_block:
                blocks, in_block = blocks + 1, True
            spec.options.append(option)
            last = option
        elif last is not None and re.match(r"^\s{12,}\S", line):
            last.description += " " + line.strip()  # a description's continuation line
        else:
            last = None
    for option in spec.options:
        if option.metavar:
            inline = _CHOICES_INLINE.search(option.description)
            key = option.metavar.strip("[]=").upper()
            if inline and inline.group(1) == key:
                option.choices = [c for c in re.split(r"\s*(?:,|\bor\b|\|)\s*", inline.group(2)) if c]
            elif key in choices:
                option.choices = choices[key]
    spec.formats = _formats(text)
    return spec


def _parse_usage(lines: list[str], spec: CommandSpec) -> None:
    for line in lines:
        m = _USAGE.match(line)
        if not m:
            continue
        spec.program = m.group(1)
        rest = m.group(2)
        spec.options_required = bool(re.search(r"(?<!\[)OPTIONS?\.\.\.", rest)) and "[OPTION" not in rest
        for token in re.finditer(r"(\[?)([A-Z][A-Z0-9_]*)(\]?)(\.\.\.)?", rest):
            name = token.group(2)
            if name.startswith("OPTION"):
                continue
            # `[INPUT [OUTPUT]]`: an operand is optional if an unclosed '[' precedes it
            before = rest[: token.start(2)]
            optional = before.count("[") > before.count("]")
            spec.operands.append(Operand(name, not optional, bool(token.group(4))))
        return


def _parse_option_line(line: str) -> Option | None:
    m = _OPTION_LINE.match(line)
    if not m:
        return None
    forms_text, description = m.group(1).strip(), (m.group(2) or "").strip()
    short = long = metavar = None
    optional = False
    for form in re.split(r",\s*", forms_text):
        fm = _FORM.match(form.strip())
        if not fm:
            return None
        flag = fm.group(1)
        if flag.startswith("--"):
            long = flag
        elif len(flag) == 2:
            short = flag
        else:
            return None
        if fm.group(3):
            metavar, optional = fm.group(3), fm.group(2) == "[="
        elif fm.group(4):
            metavar = fm.group(4)
    if short is None and long is None:
        return None
    return Option(short, long, metavar, optional, description)


def _choice_blocks(lines: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    i = 0
    while i < len(lines):
        m = _CHOICES_BLOCK.match(lines[i].strip())
        if m:
            values = []
            i += 1
            while i < len(lines) and re.match(r"^\s+\S", lines[i]):
                values.append(lines[i].split()[0])
                i += 1
            if values:
                found[m.group(1)] = values
            continue
        i += 1
    return found


def _formats(text: str) -> list[str]:
    lower = text.lower()
    hints = []
    for word, fmt in (
        ("expression", "expression"),
        ("base64", "base64"),
        ("csv", "csv"),
        ("json", "json"),
        ("number", "numbers"),
    ):
        if word in lower:
            hints.append(fmt)
    hints.append("text")
    return hints
