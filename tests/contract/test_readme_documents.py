"""Every GraphQL operation the README shows is valid against the schema a partner gets."""

from __future__ import annotations

import re

import pytest
from graphql import DocumentNode, build_schema, parse, validate

from tests.conftest import ROOT

SCHEMA = build_schema((ROOT / "schema.graphql").read_text("utf-8"))
BLOCKS = re.findall(r"```graphql\n(.*?)```", (ROOT / "README.md").read_text("utf-8"), re.S)


def operations() -> list[str]:
    """Each operation of each block on its own (a block may show a query and a mutation)."""
    found = []
    for block in BLOCKS:
        for definition in parse(block).definitions:
            assert definition.loc is not None
            found.append(block[definition.loc.start : definition.loc.end])
    return found


def test_the_readme_shows_operations() -> None:
    assert len(operations()) >= 20


@pytest.mark.parametrize("operation", operations())
def test_a_readme_operation_is_valid(operation: str) -> None:
    document: DocumentNode = parse(operation)
    assert [str(e) for e in validate(SCHEMA, document)] == []
