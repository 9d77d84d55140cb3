"""The layers: `core` (org tree, accounts, audit, calendar) and `casework` (the platform every module stands
on) import no domain app; domain apps declare themselves in the module registry and the platform reads
that. From casework, core reads the registry only (`xiaobao.casework.registry`: imports nothing of ours)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # xiaobao/
PLATFORM = {
    "core": {"core", "casework.registry"},
    "casework": {"core", "casework", "casework.registry"},
}


def _imported(path: Path) -> set[str]:
    """Every xiaobao sub-package a file imports (top level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [f"{node.module}.{a.name}" for a in node.names]
    out = set()
    for n in names:
        if n.startswith("xiaobao."):
            parts = n.split(".")
            out.add("casework.registry" if parts[1:3] == ["casework", "registry"] else parts[1])
    return out


def _sources(app: str) -> list[Path]:
    return [p for p in (PACKAGE / app).rglob("*.py") if "tests" not in p.parts]


@pytest.mark.parametrize("app", sorted(PLATFORM))
def test_the_platform_imports_no_domain_app(app):
    # given every non-test source file of the app / when its imports are read
    wrong = {
        f"{p.relative_to(PACKAGE)}: {sorted(found - PLATFORM[app])}"
        for p in _sources(app)
        if (found := _imported(p)) - PLATFORM[app]
    }
    # then none names a domain app (or anything but the layers below it)
    assert not wrong, wrong


def test_the_registry_imports_nothing_of_xiaobao():
    assert _imported(PACKAGE / "casework" / "registry.py") == set()


def test_the_check_sees_a_domain_import(tmp_path):
    # a file importing complaints is caught (the check itself works)
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from xiaobao.complaints.models import Complaint\n    return Complaint\n")
    assert _imported(bad) == {"complaints"}
