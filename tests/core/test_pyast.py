"""The host-side parser: one thread at a time (CPython 3.11's AST builder keeps its recursion
count per interpreter, gh-106905), with ast's own results and errors."""

from __future__ import annotations

import ast
import threading
import time

import pytest

from codefrontier import pyast


def test_parses_never_overlap_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    inside = 0
    most = 0
    guard = threading.Lock()
    real_parse = ast.parse

    def slow_parse(*args: object, **kwargs: object) -> ast.AST:
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        time.sleep(0.01)  # long enough for every other thread to try to enter
        with guard:
            inside -= 1
        return real_parse(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ast, "parse", slow_parse)
    threads = [
        threading.Thread(target=lambda: [pyast.parse("x = [1, 2]"), pyast.literal_eval("(1, 'a')")])
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1


def test_results_and_errors_are_ast_s() -> None:
    tree = pyast.parse("def f(x):\n    return x\n", filename="solution.py")
    assert isinstance(tree, ast.Module) and isinstance(tree.body[0], ast.FunctionDef)
    assert pyast.literal_eval("  [1, {'a': (2.5, None)}]") == [1, {"a": (2.5, None)}]
    with pytest.raises(SyntaxError) as info:
        pyast.parse("def f(:\n", filename="solution.py")
    assert info.value.filename == "solution.py"
    with pytest.raises(ValueError):
        pyast.literal_eval("__import__('os')")
