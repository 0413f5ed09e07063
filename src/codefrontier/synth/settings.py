"""The settings of synthetic generation, declared once with `codefrontier.settings`: their
fields are the flags of `codefrontier synth generate` and `synth chains` (light: the CLI
imports this module to build its parser)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from codefrontier.settings import Settings, at_least, positive, setting
from codefrontier.synth.progression import DEFAULT_PROGRESSION, Progression

if TYPE_CHECKING:
    from codefrontier.sandbox import Limits


@dataclass(frozen=True)
class RunLimits(Settings):
    """Limits of one call of the teacher's function (and of each student attempt's calls)."""

    cpu_s: float = setting(1.0, "CPU seconds per call of f", check=positive)
    memory_mb: int = setting(256, "memory limit of a call, MiB", check=at_least(1))
    wall_factor: float = setting(2.0, "wall-clock backstop: this x CPU limit + 0.5 s", check=positive)
    max_output_chars: int = setting(2_000, "longest output of f (typed-JSON characters)", check=at_least(1))

    def sandbox_limits(self) -> Limits:
        from codefrontier.sandbox import Limits

        return Limits(
            cpu_s=self.cpu_s,
            wall_s=self.cpu_s * self.wall_factor + 0.5,
            memory_mb=self.memory_mb,
            output_bytes=1 << 20,
        )


@dataclass(frozen=True)
class LoopSettings(Settings):
    """How the loop asks the models and measures the problems (each setting is a flag of
    `codefrontier synth generate`)."""

    turns: int = setting(6, "teacher turns per seed (T)", check=at_least(1))
    attempts: int = setting(32, "student attempts per problem (M)", check=at_least(1))
    n_inputs: int = setting(5, "inputs the teacher writes per problem", check=at_least(1))
    teacher_temperature: float = setting(0.8, "teacher sampling temperature", check=at_least(0))
    student_temperature: float = setting(1.0, "student sampling temperature", check=at_least(0))
    teacher_max_tokens: int = setting(4096, "tokens per teacher answer", check=at_least(1))
    student_max_tokens: int = setting(2048, "tokens per student attempt", check=at_least(1))
    seed: int = setting(0, "base seed of the requests (and of the snippets)")
    parallel: int = setting(8, "conversations in flight at once", check=at_least(1))
    progression: Progression = DEFAULT_PROGRESSION  # not a flag: the teacher's schedule
