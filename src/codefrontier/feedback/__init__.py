"""Execution-feedback data (Llama 3's coding SFT data): a model answers a task with a
solution and unit tests; the parser, a linter (ruff), its tests and the problem's own
tests check it in the sandbox; failures go back to it in revision prompts; only dialogs
that finally pass are kept, as chat-format SFT records (docs/feedback.md).

    from codefrontier.feedback import LoopSettings, generate, problem_items
"""

from __future__ import annotations

from codefrontier.lazy import lazy_exports

_EXPORTS = {
    "CheckResult": "checks",
    "CheckStatus": "checks",
    "parse_check": "checks",
    "lint_check": "checks",
    "find_ruff": "checks",
    "TestRunner": "execution",
    "Dialog": "loop",
    "LoopSettings": "loop",
    "run_dialog": "loop",
    "check_answer": "loop",
    "Item": "sources",
    "problem_items": "sources",
    "snippet_items": "sources",
    "generate": "pipeline",
    "GenerateReport": "pipeline",
    "write_stats": "pipeline",
}

__getattr__, __all__ = lazy_exports(__name__, _EXPORTS)
