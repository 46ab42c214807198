"""Input hygiene at the edge (#9.3), driven by the schema itself: every String argument and
input field of every operation gets NUL, a bidi override, a zero-width space, an ANSI escape,
an over-long value and a decomposed string; every Money a JSON number."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
)

from gongji.api.inputs import limit
from gongji.api.schema import schema
from tests.conftest import Api, person

SCALAR_SAMPLES: dict[str, Any] = {
    "String": "abcdefgh12",
    "ID": str(uuid.uuid4()),
    "Money": "1.00",
    "Int": 2026,
    "Float": 1.0,
    "Boolean": True,
    "Date": "2026-03-10",
    "DateTime": "2026-03-10T10:00:00+08:00",
}


def sample(type_: GraphQLInputType) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return sample(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [sample(type_.of_type)]
    if isinstance(type_, GraphQLInputObjectType):
        return {name: sample(f.type) for name, f in type_.fields.items()}
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    assert isinstance(type_, GraphQLScalarType)
    return SCALAR_SAMPLES[type_.name]


@dataclass(frozen=True)
class Slot:
    """One leaf input of one operation: where it sits in the variables, and how it is named."""

    kind: str  # query or mutation
    field: str
    path: tuple[str | int, ...]  # argument name, then keys and indexes into its value
    name: str  # as a refusal names it: groupId, items.0.name, filter.insuredRegion
    scalar: str
    max_length: int

    def __str__(self) -> str:
        return f"{self.field}.{'.'.join(map(str, self.path))}"


def _leaves(
    type_: GraphQLInputType, owner: str, key: str, path: tuple[str | int, ...], name: str
) -> list[tuple[tuple[str | int, ...], str, str, int]]:
    if isinstance(type_, GraphQLNonNull):
        return _leaves(type_.of_type, owner, key, path, name)
    if isinstance(type_, GraphQLList):
        return _leaves(type_.of_type, owner, key, (*path, 0), f"{name}.0")
    if isinstance(type_, GraphQLInputObjectType):
        found = []
        for field_name, f in type_.fields.items():
            inner = f"{name}.{field_name}" if name else field_name
            found += _leaves(f.type, type_.name, field_name, (*path, field_name), inner)
        return found
    if isinstance(type_, GraphQLScalarType):
        return [(path, name, type_.name, limit(owner, key))]
    return []


def slots() -> list[Slot]:
    found = []
    graphql = schema._schema
    for kind, root in (("query", graphql.query_type), ("mutation", graphql.mutation_type)):
        assert root is not None
        for field_name, field in root.fields.items():
            for arg_name, arg in field.args.items():
                prefix = "" if arg_name == "input" else arg_name
                for path, name, scalar, max_length in _leaves(
                    arg.type, field_name, arg_name, (arg_name,), prefix
                ):
                    found.append(Slot(kind, field_name, path, name, scalar, max_length))
    return found


SLOTS = slots()
TEXT = [s for s in SLOTS if s.scalar == "String"]
MONEY = [s for s in SLOTS if s.scalar == "Money"]


def document(slot: Slot) -> tuple[str, dict[str, Any]]:
    """The operation with every argument in a variable, and sample values for all of them."""
    graphql = schema._schema
    root = graphql.query_type if slot.kind == "query" else graphql.mutation_type
    assert root is not None
    field: GraphQLField = root.fields[slot.field]
    declared = ", ".join(f"${a}: {arg.type}" for a, arg in field.args.items())
    passed = ", ".join(f"{a}: ${a}" for a in field.args)
    leaf = isinstance(get_named_type(field.type), GraphQLScalarType | GraphQLEnumType)
    selection = "" if leaf else "{ __typename }"
    if slot.kind == "mutation":
        selection = "{ errors { code field } }"
    text = f"{slot.kind} Probe({declared}) {{ {slot.field}({passed}) {selection} }}"
    return text, {a: sample(arg.type) for a, arg in field.args.items()}


def put(variables: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    variables = copy.deepcopy(variables)
    target: Any = variables
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return variables


def refusal(body: dict[str, Any], slot: Slot) -> dict[str, Any]:
    """The one typed refusal of the operation: from the payload, or the top-level error."""
    if slot.kind == "mutation":
        assert "errors" not in body, body
        errors = body["data"][slot.field]["errors"]
        assert len(errors) == 1, body
        return {"code": errors[0]["code"], "field": errors[0]["field"]}
    assert len(body["errors"]) == 1, body
    extensions = body["errors"][0]["extensions"]
    return {"code": extensions["code"], "field": extensions["field"]}


def test_the_walk_finds_the_free_text_and_money_inputs() -> None:
    names = {str(s) for s in TEXT}
    assert len(TEXT) >= 25 and len(MONEY) >= 6
    assert {"createFamilyGroup.input.name", "refundPayment.reason", "agentLogin.username"} <= names
    assert "createBill.input.items.0.name" in names


BAD = {
    "NUL": "ab\x00cd",
    "bidi override": "abc\u202edcba",
    "zero-width space": "ab\u200bcd",
    "ANSI escape": "\x1b[31mred",
}


@pytest.mark.parametrize("slot", TEXT, ids=str)
async def test_every_text_input_refuses_invisible_characters_and_excess_length(
    api: Api, slot: Slot
) -> None:
    text, variables = document(slot)
    for what, value in BAD.items():
        body = await api(text, put(variables, slot.path, value), language="en")
        assert refusal(body, slot) == {"code": "INVALID_INPUT", "field": slot.name}, what
    body = await api(text, put(variables, slot.path, "长" * (slot.max_length + 1)))
    assert refusal(body, slot) == {"code": "INPUT_TOO_LONG", "field": slot.name}


@pytest.mark.parametrize("slot", TEXT, ids=str)
async def test_decomposed_text_is_never_a_server_error(
    api: Api, demo_data: None, slot: Slot
) -> None:
    token = await api.login("demo-zhangwei")
    text, variables = document(slot)
    body = await api(text, put(variables, slot.path, "Cafe\u0301"), token=token)
    codes = [e["extensions"]["code"] for e in body.get("errors", [])]
    assert "INTERNAL_SERVER_ERROR" not in codes, body


@pytest.mark.parametrize("slot", MONEY, ids=str)
async def test_money_refuses_json_numbers(api: Api, slot: Slot) -> None:
    text, variables = document(slot)
    for value in (1e9, 12, "1e9", "1.234", "12,00"):
        body = await api(text, put(variables, slot.path, value))
        assert refusal(body, slot) == {"code": "INVALID_INPUT", "field": slot.name}, value


CREATE_GROUP = (
    "mutation($n: String!) { createFamilyGroup(input: {name: $n, acceptCommitment: true, "
    'commitmentVersion: "2024.1"}) { group { name } errors { code field } } }'
)


async def test_decomposed_names_are_stored_composed(api: Api, demo_data: None) -> None:
    token = await api.login("demo-zhangwei")
    data = await api.data(CREATE_GROUP, {"n": "Cafe\u0301 家"}, token=token)
    assert data["createFamilyGroup"] == {"group": {"name": "Café 家"}, "errors": []}


async def test_money_literal_in_the_document_is_refused_on_its_field(
    api: Api, demo_data: None
) -> None:
    token = await api.login("demo-zhangwei")
    body = await api(
        'mutation { transferToWallet(amount: 1e9, idempotencyKey: "transfer-0001") '
        "{ transfer { amount } errors { code field } } }",
        token=token,
    )
    assert body["data"]["transferToWallet"] == {
        "transfer": None,
        "errors": [{"code": "INVALID_INPUT", "field": "amount"}],
    }


@pytest.mark.parametrize("on", ["2026-13-01", "tomorrow", "2026-03-10T00:00:00", "20260310"])
async def test_bad_dates_are_typed_localized_and_never_echo_python(api: Api, on: str) -> None:
    query = "query($on: Date) { regionPolicy(regionCode: \"620100\", on: $on) { __typename } }"
    for language, words in (("zh", "日期格式"), ("en", "a date like 2026-03-10")):
        body = await api(query, {"on": on}, language=language)
        error = body["errors"][0]
        assert error["extensions"]["code"] == "INVALID_INPUT"
        assert error["extensions"]["field"] == "on"
        assert words in error["message"]
        assert "isoformat" not in str(body) and "ValueError" not in str(body)


async def test_id_numbers_take_ascii_digits_only(api: Api, demo_data: None) -> None:
    token = await api.login("demo-zhaomin")
    zhao = person("赵敏")
    for lookalike in (zhao.id_number[:5] + "²" + zhao.id_number[6:], "４" + zhao.id_number[1:]):
        data = await api.data(
            "mutation($n: String!, $i: String!) { startFaceVerification(name: $n, idNumber: $i)"
            " { verifyId errors { code field } } }",
            {"n": zhao.name, "i": lookalike},
            token=token,
        )
        assert data["startFaceVerification"] == {
            "verifyId": None,
            "errors": [{"code": "INVALID_ID_NUMBER", "field": "idNumber"}],
        }
