"""Deduplication: exact, and after AST normalization (docs/synth.md, "Filtering").

Two problems are exact duplicates when their programs are the same text (up to
surrounding whitespace) and their inputs the same values. They are AST duplicates when
their programs are the same after normalization: names the program binds (functions,
arguments, variables, imports) renamed by order of first appearance, every literal
replaced by a placeholder of its type, docstrings and other bare constants dropped. So
renaming identifiers or changing constants does not make a new problem. Builtins and
attribute names are kept: `sorted` and `max` make different programs.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from codefrontier import pyast
from codefrontier.synth.literals import canonical
from codefrontier.synth.task import SynthTask

T = TypeVar("T")


def exact_key(task: SynthTask) -> str:
    text = task.env + "\0" + task.program.strip() + "\0" + "\0".join(canonical(a) for a in task.inputs)
    return hashlib.sha256(text.encode(errors="surrogateescape")).hexdigest()


def ast_key(program: str) -> str:
    """A digest of the normalized program (the text itself when it does not parse)."""
    try:
        tree = pyast.parse(program)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return hashlib.sha256(program.strip().encode(errors="surrogateescape")).hexdigest()
    normalized = _Normalizer(_bound_names(tree)).visit(tree)
    dump = ast.dump(normalized, annotate_fields=False, include_attributes=False)
    return hashlib.sha256(dump.encode()).hexdigest()


def _bound_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


class _Normalizer(ast.NodeTransformer):
    def __init__(self, bound: set[str]) -> None:
        self.bound = bound
        self.renamed: dict[str, str] = {}

    def _name(self, name: str) -> str:
        if name not in self.bound:
            return name
        return self.renamed.setdefault(name, f"v{len(self.renamed)}")

    def visit_Name(self, node: ast.Name) -> ast.AST:  # noqa: N802 - ast's naming
        return ast.Name(id=self._name(node.id), ctx=node.ctx)

    def visit_arg(self, node: ast.arg) -> ast.AST:
        return ast.arg(arg=self._name(node.arg), annotation=None)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:  # noqa: N802
        node.name = self._name(node.name)
        node.returns = None
        node.body = _without_bare_constants(node.body)
        self.generic_visit(node)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:  # noqa: N802
        node.name = self._name(node.name)
        node.body = _without_bare_constants(node.body)
        self.generic_visit(node)
        return node

    def visit_Module(self, node: ast.Module) -> ast.AST:  # noqa: N802
        node.body = _without_bare_constants(node.body)
        self.generic_visit(node)
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:  # noqa: N802
        return ast.Constant(value=f"<{type(node.value).__name__}>")

    def visit_alias(self, node: ast.alias) -> ast.AST:
        return ast.alias(name=node.name, asname=self._name(node.asname or node.name.split(".")[0]))


def _without_bare_constants(body: list[ast.stmt]) -> list[ast.stmt]:
    kept = [s for s in body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return kept or [ast.Pass()]


def dedup(items: Sequence[T], key: Callable[[T], SynthTask]) -> tuple[list[T], dict[str, int]]:
    """The items whose task is neither an exact nor an AST duplicate of an earlier one
    (first kept), and how many of each kind were dropped."""
    exact: set[str] = set()
    shapes: set[tuple[str, str]] = set()
    kept: list[T] = []
    dropped = {"exact": 0, "ast": 0}
    for item in items:
        task = key(item)
        k = exact_key(task)
        if k in exact:
            dropped["exact"] += 1
            continue
        exact.add(k)
        shape = (task.env, ast_key(task.program))
        if shape in shapes:
            dropped["ast"] += 1
            continue
        shapes.add(shape)
        kept.append(item)
    return kept, dropped


def unique(items: Iterable[SynthTask]) -> list[SynthTask]:
    return dedup(list(items), lambda t: t)[0]
