"""The contract with clients: the mini-program's documents, and no unannounced breaking change."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema, parse, validate
from graphql.utilities.find_schema_changes import BreakingChange, find_schema_changes

from tests.conftest import ROOT

DOCUMENTS = sorted((ROOT / "miniprogram_mock" / "graphql").glob("*.graphql"))


def schema_of(path: Path) -> GraphQLSchema:
    return build_schema(path.read_text(encoding="utf-8"))


def test_there_are_client_documents() -> None:
    assert len(DOCUMENTS) >= 10


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem)
def test_every_mini_program_document_validates(document: Path) -> None:
    errors = validate(schema_of(ROOT / "schema.graphql"), parse(document.read_text("utf-8")))
    assert errors == [], [e.message for e in errors]


def breaking(old: GraphQLSchema, new: GraphQLSchema) -> list[str]:
    return [c.description for c in find_schema_changes(old, new) if isinstance(c, BreakingChange)]


def test_no_unannounced_breaking_change() -> None:
    announced = (ROOT / "contract" / "BREAKING.md").read_text(encoding="utf-8")
    changes = breaking(
        schema_of(ROOT / "contract" / "released.graphql"), schema_of(ROOT / "schema.graphql")
    )
    missing = [c for c in changes if c not in announced]
    assert missing == [], "unannounced breaking changes (see contract/BREAKING.md): " + "; ".join(
        missing
    )


def test_the_check_sees_a_removed_field() -> None:
    old = build_schema("type Query { a: Int, b: Int }")
    assert breaking(old, build_schema("type Query { a: Int }")) == ["Field Query.b was removed."]
    assert breaking(old, build_schema("type Query { a: Int, b: Int, c: Int }")) == []
