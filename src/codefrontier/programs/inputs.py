"""Seeded inputs for fuzzing: standard input and file contents in the formats a help
text mentions (lines of text, arithmetic expressions, base64, CSV, JSON, numbers), and
mutations of them. Everything draws from one `random.Random`, so a seed gives the same
inputs on every machine."""

from __future__ import annotations

import base64
import json
import random
import string

WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "apple",
    "Apple",
    "banana",
    "cherry",
    "foo",
    "bar",
    "baz",
    "qux",
    "hello",
    "world",
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dog",
    "one",
    "two",
    "three",
    "42",
    "7",
    "-3",
    "3.14",
    "x",
    "y",
    "z",
]
UNICODE = ["café", "naïve", "日本", "ümlaut", "→", "ß"]


def text(rng: random.Random, lines: int | None = None) -> bytes:
    """Lines of words with the features line tools care about: repeats, case, blanks,
    tabs and delimiters, long lines, a missing final newline."""
    n = rng.randint(0, 8) if lines is None else lines
    out: list[str] = []
    for _ in range(n):
        r = rng.random()
        if r < 0.12:
            out.append("")
        elif r < 0.25 and out:
            out.append(out[-1] if rng.random() < 0.7 else out[-1].upper())  # adjacent repeats
        elif r < 0.4:
            sep = rng.choice([":", ",", "\t", "|", ";"])
            out.append(sep.join(rng.choice(WORDS) for _ in range(rng.randint(1, 5))))
        elif r < 0.5:
            out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))))  # long
        elif r < 0.55:
            out.append(rng.choice(UNICODE) + " " + rng.choice(WORDS))
        else:
            out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))))
    body = "\n".join(out)
    if out and rng.random() < 0.85:
        body += "\n"
    return body.encode()


def expression(rng: random.Random, depth: int = 0) -> str:
    r = rng.random()
    if depth > 2 or r < 0.3:
        return rng.choice(["0", "1", "2", "3", "7", "10", "42", "2.5", "0.1", "100", "x", "y"])
    if r < 0.4:
        return f"({expression(rng, depth + 1)})"
    if r < 0.47:
        return f"-{expression(rng, depth + 1)}"
    if r < 0.53:
        return f"{rng.choice(['abs', 'sqrt'])}({expression(rng, depth + 1)})"
    op = rng.choice(["+", "-", "*", "/", "%", "^", "+", "*"])
    right = rng.choice(["2", "3", "-1", "0"]) if op == "^" else expression(rng, depth + 1)
    space = rng.choice(["", " "])
    return f"{expression(rng, depth + 1)}{space}{op}{space}{right}"


def expressions(rng: random.Random) -> bytes:
    lines = []
    for _ in range(rng.randint(1, 6)):
        r = rng.random()
        if r < 0.2:
            lines.append(f"{rng.choice(['x', 'y', 'total', 'n1'])} = {expression(rng)}")
        elif r < 0.25:
            lines.append("# " + rng.choice(WORDS))
        elif r < 0.32:
            lines.append(rng.choice(["(1+2", "1 +", "2 * * 3", "foo(1)", "1/0", "3 = 4", "7 % 0", "$"]))
        else:
            lines.append(expression(rng))
    return ("\n".join(lines) + "\n").encode()


def b64(rng: random.Random) -> bytes:
    data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 60)))
    encoded = base64.encodebytes(data) if rng.random() < 0.5 else base64.b64encode(data) + b"\n"
    if rng.random() < 0.25:
        pos = rng.randint(0, len(encoded))
        encoded = encoded[:pos] + rng.choice([b"!", b"*", b" ", b"==", b"\x00", b"@@"]) + encoded[pos:]
    return encoded


def csv_rows(rng: random.Random) -> bytes:
    rows = []
    for _ in range(rng.randint(1, 6)):
        cells = [rng.choice(WORDS + ['"quoted, cell"', ""]) for _ in range(rng.randint(1, 4))]
        rows.append(",".join(cells))
    return ("\n".join(rows) + "\n").encode()


def json_doc(rng: random.Random) -> bytes:
    doc = {
        rng.choice(WORDS): rng.choice([1, "two", [3, 4], None, True, {"k": rng.choice(WORDS)}])
        for _ in range(3)
    }
    return json.dumps(doc).encode() + b"\n"


def numbers(rng: random.Random) -> bytes:
    return (
        "\n".join(str(rng.choice([0, 1, -1, 7, 42, 1000, 3.5])) for _ in range(rng.randint(1, 6))) + "\n"
    ).encode()


def binary(rng: random.Random) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))


GENERATORS = {
    "text": text,
    "expression": expressions,
    "base64": b64,
    "csv": csv_rows,
    "json": json_doc,
    "numbers": numbers,
    "binary": binary,
}


def generate(rng: random.Random, formats: list[str]) -> bytes:
    """An input in one of `formats` (the first, the strongest hint, most often)."""
    weights = [3.0 if i == 0 else 1.0 for i in range(len(formats))] + [0.3]
    fmt = rng.choices([*formats, "binary"], weights=weights)[0]
    return GENERATORS.get(fmt, text)(rng)


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One small structural change: drop, repeat or swap a line, flip case, insert a
    delimiter or an odd byte, truncate, or drop the final newline."""
    lines = data.split(b"\n")
    choice = rng.randrange(8)
    if choice == 0 and len(lines) > 1:
        del lines[rng.randrange(len(lines))]
    elif choice == 1 and lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif choice == 2 and len(lines) > 1:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif choice == 3:
        return data.swapcase()
    elif choice == 4:
        pos = rng.randint(0, len(data))
        return data[:pos] + rng.choice([b":", b",", b"\t", b"  ", b"\\", b"-"]) + data[pos:]
    elif choice == 5:
        pos = rng.randint(0, len(data))
        return data[:pos] + bytes([rng.choice([0, 7, 127, 200, 255])]) + data[pos:]
    elif choice == 6 and data:
        return data[: rng.randrange(len(data))]
    else:
        return data.rstrip(b"\n")
    return b"\n".join(lines)


def word(rng: random.Random) -> str:
    return rng.choice(WORDS + [rng.choice(string.ascii_letters) * rng.randint(1, 3), ""])
