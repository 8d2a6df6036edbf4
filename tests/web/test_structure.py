"""The page's code stays small: no route handler or app factory above a cyclomatic
complexity of 15 (McCabe, counted as ruff's C901 does: nested functions count toward the
function that holds them)."""

from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "zvhsign" / "web"
LIMIT = 15
# a nested function counts with its own base 1, as in ruff
_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.match_case, ast.FunctionDef,
             ast.AsyncFunctionDef)


def complexity(fn: ast.AST) -> int:
    """1 + every branching statement (if/elif, loop, except, case) in ``fn`` and the
    functions it holds -- McCabe as ruff's C901 (and the mccabe package) counts it."""
    return 1 + sum(isinstance(node, _BRANCHES) for node in ast.walk(fn) if node is not fn)


def functions():
    for path in sorted(WEB.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            items = node.body if isinstance(node, ast.ClassDef) else [node]
            for fn in items:
                if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{path.name}:{fn.name}", complexity(fn)


def test_counter_counts_branches():
    src = ("def f(x):\n    if x:\n        pass\n    elif x > 1:\n        pass\n"
           "    def g():\n        for _ in x:\n            try:\n                pass\n"
           "            except ValueError:\n                pass\n")
    assert complexity(ast.parse(src).body[0]) == 6  # 1 + if + elif + nested g (1 + for + except)


def test_no_web_function_is_too_complex():
    found = dict(functions())
    assert "app.py:create_app" in found
    too = {k: v for k, v in found.items() if v > LIMIT}
    assert not too, too
    assert found["app.py:create_app"] <= 5
