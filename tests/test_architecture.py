"""The layers of docs/architecture.md, enforced on the source: imports only point down.

Every ``import`` and ``from ... import`` of the project's packages is read with :mod:`ast`
(including imports inside functions and ``TYPE_CHECKING`` blocks), so a back-edge fails here
whether or not it runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

MAY_IMPORT = {
    "scenarios": set(),
    "staffing": {"scenarios"},
    "sim": {"scenarios", "staffing"},
    "sla_eval": {"scenarios"},
    "reports": {"scenarios", "staffing", "sim", "sla_eval"},
    "negotiate": {"scenarios", "staffing", "sim", "sla_eval", "reports"},
    "calibrate": {"scenarios", "staffing", "sim", "sla_eval", "reports"},
    "verify": {"scenarios", "staffing", "sim", "sla_eval"},
    "hire": {"scenarios", "staffing", "sim", "sla_eval", "reports"},
}
"""Package -> the project packages it may import (docs/architecture.md)."""
DRAWING = {"reports", "negotiate", "calibrate", "hire"}
"""The only packages that may import matplotlib."""
SIM_ENGINE = (
    "sim.model",
    "sim.agents",
    "sim.contacts",
    "sim.log",
    "sim.streams",
    "sim.arrivals",
    "sim.paid_time",
)
"""The engine of ``sim``: it runs a model description and never sees a scenario."""
PROJECT = {*MAY_IMPORT, "cli"}


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every module named by an import in ``path``, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno))
            found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_a_package_imports_only_the_layers_below_it(package):
    allowed = MAY_IMPORT[package] | {package}
    back_edges = [
        f"{_where(path, line)} imports {name}"
        for path in _modules(package)
        for name, line in _imports(path)
        if name.split(".")[0] in PROJECT and name.split(".")[0] not in allowed
    ]
    assert back_edges == []


@pytest.mark.parametrize("package", sorted(set(MAY_IMPORT) - DRAWING))
def test_only_reports_and_decision_packages_import_matplotlib(package):
    drawing = [
        _where(path, line)
        for path in _modules(package)
        for name, line in _imports(path)
        if name.split(".")[0] == "matplotlib"
    ]
    assert drawing == []


def test_the_simulation_never_learns_what_a_contract_is():
    seen = []
    for path in _modules("sim"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        seen += [
            _where(path, line)
            for name, line in _imports(path)
            if name.startswith(("scenarios.contract", "sla_eval", "negotiate"))
        ]
        seen += [
            _where(path, node.lineno)
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "contract"
        ]
    assert seen == []


@pytest.mark.parametrize("module", SIM_ENGINE)
def test_the_simulation_engine_runs_a_description_not_a_scenario(module):
    path = ROOT / (module.replace(".", "/") + ".py")
    allowed = ("scenarios.errors", "scenarios.log_tables", *SIM_ENGINE, "sim.specs")
    reaching_out = [
        f"{_where(path, line)} imports {name}"
        for name, line in _imports(path)
        if name.split(".")[0] in PROJECT and not name.startswith(allowed)
    ]
    assert reaching_out == []


def test_the_checker_sees_a_back_edge(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from sim.runner import simulate\n", encoding="utf-8")
    assert ("sim.runner.simulate", 2) in _imports(bad)
