"""No unit of work returns from inside its transaction block.

`return` (or `break`/`continue`) inside `async with attempt:` leaves before the commit: when
the database then refuses the commit (SERIALIZABLE can), the caller gets the result of a
transaction that was rolled back, and nothing runs it again (gongji.transactions.atomic).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
LOOPS = (ast.For, ast.AsyncFor, ast.While)


def _leaves(node: ast.AST, in_loop: bool = False) -> Iterator[ast.stmt]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, SCOPES):
            continue
        if isinstance(child, ast.Return) or (
            isinstance(child, ast.Break | ast.Continue) and not in_loop
        ):
            yield child
        yield from _leaves(child, in_loop or isinstance(child, LOOPS))


def _attempt_blocks(tree: ast.AST) -> Iterator[ast.AsyncWith]:
    for node in ast.walk(tree):
        if isinstance(node, ast.AsyncWith) and any(
            isinstance(item.context_expr, ast.Name) and item.context_expr.id == "attempt"
            for item in node.items
        ):
            yield node


def test_no_unit_of_work_leaves_its_block_before_the_commit() -> None:
    found = []
    for path in sorted((ROOT / "src").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for block in _attempt_blocks(tree):
            found += [f"{Path(path).relative_to(ROOT)}:{s.lineno}" for s in _leaves(block)]
    assert found == [], "keep the result and return it after the block: " + ", ".join(found)
