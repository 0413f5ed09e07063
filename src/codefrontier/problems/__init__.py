"""Problems: the model, the native JSONL format, loaders and importers, coverage levels."""

from codefrontier.contracts import Checker, CheckerKind, Problem, ProblemKind, Solution, TestCase

__all__ = ["Checker", "CheckerKind", "Problem", "ProblemKind", "Solution", "TestCase"]
