"""schema.graphql is the contract: it must match the code exactly."""

from __future__ import annotations

from gongji.api.schema import schema
from tests.conftest import ROOT


def test_committed_schema_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema.as_str() + "\n", (
        "schema.graphql is stale: run `make schema` and say in the commit whether it breaks clients"
    )


def test_money_is_a_string_scalar_not_int() -> None:
    sdl = schema.as_str()
    assert "scalar Money" in sdl
    assert "transferMaxAmount: Money!" in sdl


def test_every_mutation_returns_typed_errors() -> None:
    mutation_type = schema._schema.mutation_type
    assert mutation_type is not None
    for name, field in mutation_type.fields.items():
        payload = field.type.of_type if hasattr(field.type, "of_type") else field.type
        assert "errors" in payload.fields, f"{name} has no errors list"
        assert str(payload.fields["errors"].type) == "[UserError!]!"
