"""The shape the team keeps the code in: no module over 300 lines, no function over 60.

A documented exception goes in EXCEPTIONS with the reason splitting would hurt reading.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("content", "speech", "skill")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
EXCEPTIONS: dict[str, str] = {}  # "path:function" -> why it stays long

MODULES = sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_and_functions_are_small(path):
    source = path.read_text()
    rel = str(path.relative_to(ROOT))
    assert source.count("\n") <= MAX_MODULE_LINES, f"{rel} has {source.count(chr(10))} lines"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
        and f"{rel}:{node.name}" not in EXCEPTIONS
    ]
    assert not long, f"{rel}: functions over {MAX_FUNCTION_LINES} lines: {long}"
