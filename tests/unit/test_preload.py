"""Every module a page imports on first use is imported by ``ui.preload`` before the pages run,
so concurrent first sessions never meet a half-imported module (see tests/browser/test_cold_start.py)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from ui.preload import OPTIONAL

ROOT = Path(__file__).resolve().parents[2]


def _lazy_imports() -> set[str]:
    """Modules imported inside functions (ui, metrics, data_sources) or at the top of a view."""
    found: set[str] = set()
    for folder in ("ui", "metrics", "data_sources"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    found |= _imports(node)
    for path in (ROOT / "views").glob("*.py"):
        found |= _imports(ast.parse(path.read_text()))
    optional = tuple(OPTIONAL)
    return {
        m
        for m in found
        if m.split(".")[0] not in sys.stdlib_module_names and not any(m == o or m.startswith(o + ".") for o in optional)
    } - {"streamlit"}


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_every_lazy_import_is_loaded_by_preload():
    wanted = sorted(_lazy_imports() | {"pandas", "pyarrow", "numpy", "altair"})
    code = (
        "import json, sys; from ui.preload import preload; preload(); "
        f"print(json.dumps([m for m in {wanted!r} if m not in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_app_preloads_before_anything_else_runs():
    tree = ast.parse((ROOT / "app.py").read_text())
    order = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("ui", "data_sources"):
            order.append(node.module)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            order.append(ast.unparse(node.value.func))
    assert order.index("preload") < order.index("ui.state")
    assert order[:2] == ["ui.preload", "preload"]
