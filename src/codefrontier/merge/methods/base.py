"""A merge method: which inputs it takes, which outputs it writes, and what each output
element is.

A method owns its name, its inputs (their roles), its parameters and their checks, the
formula its outputs' metadata records, the coefficient fields of that record, and which
outputs reproduce an input exactly. The engine owns the rest: the single streaming pass,
the numerics, the writing. Adding a method is one module with one registered subclass
(see `registry`); this module imports no torch, so the command can list the methods fast.

What a method computes is a `Combination` per output, evaluated by the engine element by
element exactly as written: inputs widened to float32 (float64 stays float64), one rounded
operation at a time, left to right, no fused multiply-add, then rounded once to the
output dtype. Every output of a sweep is computed from the same read of each block.

A method whose coefficients depend on a whole tensor (SLERP's angle between two tensors)
sets `needs_statistics` and computes them in `tensor_statistics` from chunks of that
tensor; the engine calls it once per floating-point tensor, inside the same pass, before
the tensor's blocks are merged, and passes the result to `combinations`. Those reads come
on top of the blocks (they are counted in `bytes_read`) but do not grow with the number
of outputs.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from codefrontier.errors import ConfigError

if TYPE_CHECKING:
    import torch

# Coefficients are applied in float32: beyond this they are infinite.
FLOAT32_MAX = 3.4028234663852886e38


@dataclass(frozen=True)
class Output:
    """One output checkpoint of a method: its directory name, the coefficient fields of
    its metadata record, and the input it reproduces bit for bit (an index into the
    inputs), if any; such outputs are written from that input's bytes."""

    name: str
    parameters: dict[str, Any]
    copies: int | None = None


@dataclass(frozen=True)
class Combination:
    """What one output element is, given the inputs' elements x_0, x_1, ...:

    - ``linear``: ``w_0 * x_0 + w_1 * x_1 + ...`` (one weight per input);
    - ``anchored``: ``x_0 + w_1 * (x_1 - x_0) + w_2 * (x_2 - x_0) + ...`` (one weight per
      input after the first; the differences are computed once per chunk for all outputs).
    """

    kind: Literal["linear", "anchored"]
    weights: tuple[float, ...]


class MergeMethod(ABC):
    """The base of every method. Subclasses set `name` (the registry key and the record's
    `method`) and `formula` (the record's `formula`), check their parameters in
    `__init__` (raising ConfigError), and say what they write (`roles`, `outputs`) and
    compute (`combinations`)."""

    name: ClassVar[str]
    formula: ClassVar[str]
    needs_statistics: ClassVar[bool] = False

    @classmethod
    def reference_url(cls) -> str | None:
        """The paper or page that defines the method (recorded in each output)."""
        return None

    @abstractmethod
    def roles(self) -> tuple[str, ...]:
        """The inputs, in order, by the names messages and records use ("low", "base", ...)."""

    @abstractmethod
    def outputs(self) -> list[Output]:
        """Every output of the sweep, in order; names are unique."""

    @abstractmethod
    def combinations(self, statistics: Any = None) -> list[Combination]:
        """One combination per output (same order, all of one kind). `statistics` is what
        `tensor_statistics` returned for the tensor at hand (None unless
        `needs_statistics`)."""

    def tensor_statistics(self, chunks: Iterator[tuple[torch.Tensor, ...]]) -> Any:
        """Per-tensor statistics from successive chunks of the tensor in every input (one
        tensor per input, in the input dtype, views of the files: never modify them)."""
        raise NotImplementedError(f"{type(self).__name__} sets needs_statistics but computes none")

    def record(self, output: Output) -> dict[str, Any]:
        """The method's part of an output's metadata record."""
        return {
            "method": self.name,
            "formula": self.formula,
            "reference": self.reference_url(),
            **output.parameters,
        }


class PairMethod(MergeMethod):
    """Two inputs, low and high, and one output per alpha, named `alpha_<alpha>`; alpha 0
    reproduces low and alpha 1 reproduces high."""

    def __init__(self, alphas: Sequence[float]) -> None:
        if isinstance(alphas, int | float | str):
            raise ConfigError("alphas must be a list of numbers, one output per alpha: for example [0.5]")
        values = coefficients(alphas, "alpha")
        if not values:
            raise ConfigError("give at least one --alpha value")
        self.alphas = tuple(values)
        refuse_duplicates(self.outputs(), "--alpha")

    def roles(self) -> tuple[str, ...]:
        return ("low", "high")

    def outputs(self) -> list[Output]:
        return [Output(f"alpha_{format_coefficient(a)}", {"alpha": a}, _pair_copy(a)) for a in self.alphas]


def _pair_copy(alpha: float) -> int | None:
    return 0 if alpha == 0.0 else 1 if alpha == 1.0 else None


class TaskVectorMethod(MergeMethod):
    """A base and one or more task checkpoints, and one output per lambda vector (one
    lambda per task), named `lambda_<l1>_<l2>...`; all lambdas 0 reproduces the base, and
    lambda_i 1 with the others 0 reproduces task i."""

    def __init__(self, lambdas: Sequence[Sequence[float]], n_tasks: int) -> None:
        if n_tasks < 1:
            raise ConfigError("give at least one --task checkpoint")
        if not lambdas:
            raise ConfigError("give at least one --lambda vector (one value per --task)")
        vectors = []
        for row in lambdas:
            if isinstance(row, int | float | str):
                raise ConfigError(
                    "lambdas must be a list of lambda vectors, one vector per output: for example [[0.5, 0.5]]"
                )
            values = coefficients(row, "lambda")
            if len(values) != n_tasks:
                raise ConfigError(
                    f"--lambda {' '.join(format_coefficient(v) for v in values)} has {len(values)} values but "
                    f"there {'is' if n_tasks == 1 else 'are'} {n_tasks} --task checkpoint"
                    f"{'s' if n_tasks != 1 else ''}: give one lambda per task, and repeat --lambda for more outputs"
                )
            vectors.append(tuple(values))
        self.lambdas = tuple(vectors)
        self.n_tasks = n_tasks
        refuse_duplicates(self.outputs(), "--lambda")

    def roles(self) -> tuple[str, ...]:
        return ("base", *(f"task {i + 1}" for i in range(self.n_tasks)))

    def outputs(self) -> list[Output]:
        return [
            Output(
                "lambda_" + "_".join(format_coefficient(v) for v in vector),
                {"lambdas": list(vector)},
                _task_copy(vector),
            )
            for vector in self.lambdas
        ]


def _task_copy(lambdas: tuple[float, ...]) -> int | None:
    if all(w == 0.0 for w in lambdas):
        return 0
    ones = [j for j, w in enumerate(lambdas) if w == 1.0]
    if len(ones) == 1 and all(w == 0.0 for j, w in enumerate(lambdas) if j != ones[0]):
        return ones[0] + 1
    return None


def format_coefficient(value: float) -> str:
    """The shortest text that reads back as the same float: 0.5, -0.5, 1, 1.25, 1e-05."""
    text = repr(float(value) + 0.0)  # + 0.0 turns -0.0 into 0.0
    return text.removesuffix(".0")


def coefficients(values: Sequence[float], what: str) -> list[float]:
    """Finite numbers within float32's range (the arithmetic runs in float32), as floats."""
    out = []
    for v in values:
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise ConfigError(f"{what} {v!r} is not a number") from None
        if isinstance(v, bool) or not math.isfinite(f):
            raise ConfigError(f"{what} {v!r} is not a finite number")
        if abs(f) > FLOAT32_MAX:
            raise ConfigError(
                f"{what} {format_coefficient(f)} is beyond float32's range (±3.4e38), which the merge computes in"
            )
        out.append(f + 0.0)
    return out


def refuse_duplicates(outputs: list[Output], option: str) -> None:
    seen: set[str] = set()
    for o in outputs:
        if o.name in seen:
            raise ConfigError(f"{option}: {o.name} is given twice")
        seen.add(o.name)
