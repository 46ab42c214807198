"""Tests share fixtures and helpers through conftest.py, and every rules.py has its own tests."""

from __future__ import annotations

from bench.code_shape import SRC, import_graph, modules

from tests.conftest import ROOT


def _is_test_module(name: str) -> bool:
    return name.rpartition(".")[2].startswith("test_")


def test_no_test_module_imports_another() -> None:
    graph = import_graph(ROOT, "tests")
    crossing = sorted(
        f"{name} imports {target}"
        for name, targets in graph.items()
        if _is_test_module(name)
        for target in targets
        if _is_test_module(target)
    )
    assert crossing == [], "move what they share to tests/conftest.py:\n" + "\n".join(crossing)


def test_every_rules_module_has_database_free_tests() -> None:
    rules = {name for name in modules(SRC) if name.endswith(".rules")}
    graph = import_graph(ROOT, "tests/unit", also=rules)
    tested = {target for targets in graph.values() for target in targets}
    assert sorted(rules - tested) == [], "rules modules without a tests/unit module"
