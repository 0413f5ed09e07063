"""The four execution environments, by name (one module each)."""

from __future__ import annotations

from codefrontier.errors import ConfigError
from codefrontier.synth.envs.abduction import Abduction
from codefrontier.synth.envs.base import ANSWER_ENTRY, Answer, Environment
from codefrontier.synth.envs.deduction import Deduction
from codefrontier.synth.envs.fuzzing import Fuzzing
from codefrontier.synth.envs.induction import Induction

ENVIRONMENTS: dict[str, Environment] = {
    env.name: env for env in (Induction(), Abduction(), Deduction(), Fuzzing())
}


def get_environment(name: str) -> Environment:
    try:
        return ENVIRONMENTS[name]
    except KeyError:
        raise ConfigError(f"unknown environment {name!r}; choose one of {', '.join(ENVIRONMENTS)}") from None


__all__ = [
    "ANSWER_ENTRY",
    "ENVIRONMENTS",
    "Abduction",
    "Answer",
    "Deduction",
    "Environment",
    "Fuzzing",
    "Induction",
    "get_environment",
]
