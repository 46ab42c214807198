"""Every element of the exported schema says what it is, for a hospital developer in GraphiQL."""

from __future__ import annotations

from typing import cast

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    is_introspection_type,
    is_specified_scalar_type,
)

from gongji.api.schema import schema
from gongji.errors import CATALOGUE, ErrorCode
from tests.conftest import ROOT


def undescribed(sdl: GraphQLSchema) -> list[str]:
    missing = []
    for name, type_ in sorted(sdl.type_map.items()):
        if is_introspection_type(type_) or is_specified_scalar_type(type_):
            continue
        if not type_.description:
            missing.append(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                missing += [
                    f"{name}.{field_name}({arg})"
                    for arg, argument in field.args.items()
                    if not argument.description
                ]
        if isinstance(type_, GraphQLInputObjectType):
            missing += [f"{name}.{f}" for f, field in type_.fields.items() if not field.description]
        if isinstance(type_, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in type_.values.items() if not value.description]
    return missing


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    missing = undescribed(build_schema((ROOT / "schema.graphql").read_text("utf-8")))
    assert missing == [], f"{len(missing)} undescribed schema elements:\n" + "\n".join(missing)


def test_the_check_sees_an_undescribed_argument() -> None:
    sdl = build_schema('"Reads." type Query { "A." a(x: Int): Int }')
    assert undescribed(sdl) == ["Query.a(x)"]


def test_every_error_code_says_its_rule_from_the_catalogue() -> None:
    values = cast(GraphQLEnumType, schema._schema.type_map["ErrorCode"]).values
    for code in ErrorCode:
        description = values[code.name].description
        assert CATALOGUE[code].en.split("{")[0] in description
        if CATALOGUE[code].rule:
            assert f"Rule {CATALOGUE[code].rule}" in description


def test_the_readme_rule_table_is_the_rule_book() -> None:
    from gongji.rulebook import RULES

    readme = (ROOT / "README.md").read_text("utf-8")
    for rule in RULES:
        assert f"| {rule.id} | **{rule.title}**: {rule.text} |" in readme, rule.id
    cited = {e.rule for e in CATALOGUE.values() if e.rule}
    assert cited <= {r.id for r in RULES}
