"""The settings of synthetic generation, as dataclasses whose fields are the flags of
`codefrontier synth generate` (light: the CLI imports this module to build its parser)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from codefrontier.errors import ConfigError
from codefrontier.synth.progression import DEFAULT_PROGRESSION, Progression

if TYPE_CHECKING:
    from codefrontier.sandbox import Limits


@dataclass(frozen=True)
class RunLimits:
    """Limits of one call of the teacher's function (and of each student attempt's calls)."""

    cpu_s: float = field(default=1.0, metadata={"help": "CPU seconds per call of f"})
    memory_mb: int = field(default=256, metadata={"help": "memory limit of a call, MiB"})
    wall_factor: float = field(
        default=2.0, metadata={"help": "wall-clock backstop: this x CPU limit + 0.5 s"}
    )
    max_output_chars: int = field(
        default=2_000, metadata={"help": "longest output of f (typed-JSON characters)"}
    )

    def sandbox_limits(self) -> Limits:
        from codefrontier.sandbox import Limits

        return Limits(
            cpu_s=self.cpu_s,
            wall_s=self.cpu_s * self.wall_factor + 0.5,
            memory_mb=self.memory_mb,
            output_bytes=1 << 20,
        )


@dataclass(frozen=True)
class LoopSettings:
    """How the loop asks the models and measures the problems (each field is a flag of
    `codefrontier synth generate`)."""

    turns: int = field(default=6, metadata={"help": "teacher turns per seed (T)"})
    attempts: int = field(default=32, metadata={"help": "student attempts per problem (M)"})
    n_inputs: int = field(default=5, metadata={"help": "inputs the teacher writes per problem"})
    teacher_temperature: float = field(default=0.8, metadata={"help": "teacher sampling temperature"})
    student_temperature: float = field(default=1.0, metadata={"help": "student sampling temperature"})
    teacher_max_tokens: int = field(default=4096, metadata={"help": "tokens per teacher answer"})
    student_max_tokens: int = field(default=2048, metadata={"help": "tokens per student attempt"})
    seed: int = field(default=0, metadata={"help": "base seed of the requests (and of the snippets)"})
    parallel: int = field(default=8, metadata={"help": "conversations in flight at once"})
    progression: Progression = DEFAULT_PROGRESSION

    def __post_init__(self) -> None:
        if self.turns < 1 or self.attempts < 1 or self.n_inputs < 1 or self.parallel < 1:
            raise ConfigError("turns, attempts, inputs and parallel must be at least 1")
