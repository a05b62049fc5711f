"""The engine never touches Qt: viewer/core is pure Python, PySide6 lives only in viewer/ui.

Two independent checks, because each misses what the other sees: the source scan catches an
import hidden in a function that no test calls; the import check catches Qt pulled in
indirectly (through a helper module or a third-party package).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
VIEWER = REPO / "viewer"
CORE = VIEWER / "core"
QT_ROOTS = {"PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2", "qtpy"}


def imported_roots(path: Path) -> set[str]:
    """Every top-level module name a file imports, anywhere in it (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module)
    # importlib.import_module("PySide6...") would dodge the above; catch the literal too.
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module"
                and node.args and isinstance(node.args[0], ast.Constant)):
            roots.add(str(node.args[0].value))
    return roots


def core_files() -> list[Path]:
    files = sorted(CORE.rglob("*.py"))
    assert files, f"no modules under {CORE}"
    return files


@pytest.mark.parametrize("path", core_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_core_source_never_imports_qt_or_the_gui(path):
    roots = imported_roots(path)
    qt = {name for name in roots if name.split(".")[0] in QT_ROOTS}
    ui = {name for name in roots if name == "viewer.ui" or name.startswith("viewer.ui.")}
    assert not qt, f"{path.name} imports Qt: {sorted(qt)}"
    assert not ui, f"{path.name} imports the GUI: {sorted(ui)}"


def test_qt_is_imported_only_under_viewer_ui():
    offenders = {}
    for path in sorted(VIEWER.rglob("*.py")):
        if (VIEWER / "ui") in path.parents:
            continue
        qt = {n for n in imported_roots(path) if n.split(".")[0] in QT_ROOTS}
        if qt:
            offenders[path.relative_to(REPO).as_posix()] = sorted(qt)
    assert offenders == {}


def test_scanner_sees_imports_inside_functions(tmp_path):
    # The checks above are only as good as this scanner: prove it finds a hidden import.
    sample = tmp_path / "sample.py"
    sample.write_text("def later():\n    from PySide6.QtCore import QObject\n"
                      "    import importlib; importlib.import_module('shiboken6')\n")
    assert {"PySide6.QtCore", "shiboken6"} <= imported_roots(sample)


IMPORT_ALL = """
import importlib, json, pkgutil, sys
import viewer.core
names = sorted(m.name for m in pkgutil.walk_packages(viewer.core.__path__, "viewer.core."))
for name in names:
    importlib.import_module(name)
import viewer.cli  # the command line must run where Qt cannot even load
print(json.dumps({"imported": names,
                  "qt": sorted(m for m in sys.modules if m.split(".")[0] in %r)}))
"""


def test_importing_every_core_module_and_the_cli_loads_no_qt():
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL % sorted(QT_ROOTS)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    expected = {f"viewer.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__"}
    assert expected <= set(result["imported"])
    assert result["qt"] == []


CORE_MODULE_LIMIT = 600
"""Lines: past this a core module holds more than one concept; split it by concept first."""

OVER_THE_LIMIT = {"triage.py": 660}
"""Modules known to be over, each held at its size today until it is split (not a licence to
grow): triage.py holds states, flags and the query terms' facts."""


def test_core_modules_stay_small():
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines())
             for path in sorted(CORE.glob("*.py"))}
    assert sizes["anchoring.py"] > 0  # the scan really read the core
    too_big = {name: lines for name, lines in sizes.items()
               if lines > OVER_THE_LIMIT.get(name, CORE_MODULE_LIMIT)}
    assert not too_big, f"split by concept: {too_big}"
