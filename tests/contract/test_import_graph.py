"""No import circle in src/ (what counts as an import: bench/code_shape.py)."""

from __future__ import annotations

from pathlib import Path

from bench.code_shape import cycles, import_graph


def test_src_has_no_import_circle() -> None:
    circles = [" → ".join(circle) for circle in cycles(import_graph())]
    assert circles == [], "import circles:\n" + "\n".join(circles)


def test_a_circle_is_found_and_printed_with_deferred_imports_counted(tmp_path: Path) -> None:
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "stock.py").write_text("def f() -> None:\n    from shop.orders import g\n")
    (package / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from shop import orders\n"
    )
    (package / "users.py").write_text("from . import typed\n")
    (package / "orders.py").write_text("from shop import stock, users\n")
    assert cycles(import_graph(tmp_path)) == [["shop.orders", "shop.stock", "shop.orders"]]
