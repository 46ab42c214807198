"""At most 10 `type: ignore` in src/, each with its reason written on the line."""

from __future__ import annotations

from pathlib import Path

from bench.code_shape import SRC, type_ignores

MOST = 10


def test_few_type_ignores_each_with_a_reason() -> None:
    found = type_ignores()
    where = [f"{i.path.relative_to(SRC.parent)}:{i.line}" for i in found]
    assert len(found) <= MOST, f"{len(found)} type: ignore (at most {MOST}):\n" + "\n".join(where)
    unexplained = [w for w, i in zip(where, found, strict=True) if not i.reason]
    assert unexplained == [], "type: ignore without a reason:\n" + "\n".join(unexplained)


def test_a_reason_is_text_after_the_code_and_strings_do_not_count(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        "a = f(x)  # type: ignore[arg-type]  # the stub types x as int\n"
        "b = g()  # type: ignore\n"
        "c = 'type: ignore'\n"
    )
    assert [(i.line, i.reason) for i in type_ignores(tmp_path)] == [
        (1, "the stub types x as int"),
        (2, ""),
    ]
