"""The execution fast path (gongji.api.execution) gives graphql-core's results exactly.

Every document the other API tests send is already compared by the `api` fixture (see
tests/differential.py). Here: the mini-program's documents, and generated data full of nulls,
errors, wrong types and awaitables, through documents with aliases, fragments, inline
fragments, __typename, @include/@skip, variables and lists, on both executors.
"""

from __future__ import annotations

import asyncio
import datetime
import enum
import random
from collections.abc import Generator
from types import SimpleNamespace
from typing import Annotated, Any

import pytest
import strawberry
from graphql import (
    GraphQLInputObjectType,
    GraphQLNonNull,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
    type_from_ast,
)
from strawberry.schema.config import StrawberryConfig

from gongji.api.execution import FastExecution
from gongji.api.scalars import SCALARS, Money
from gongji.api.schema import schema as gongji_schema
from tests.conftest import ROOT, Api
from tests.differential import MISMATCHES, compare, outcome

MINI_PROGRAM = sorted((ROOT / "miniprogram_mock" / "graphql").glob("*.graphql"))
DEMO_USERS = ["demo-zhangwei", "demo-wangxiuying"]


def sample_variables(document: str) -> dict[str, Any]:
    """A value for each required variable, so that the operation runs (or is refused)."""
    graphql_schema: GraphQLSchema = gongji_schema._schema
    samples: dict[str, Any] = {
        "ID": "00000000-0000-4000-8000-000000000000",
        "String": "110101199003074514",
        "Int": 1,
        "Boolean": True,
        "Money": "1.00",
    }
    values: dict[str, Any] = {}
    for definition in parse(document).definitions:
        assert isinstance(definition, OperationDefinitionNode)
        for variable in definition.variable_definitions or ():
            type_ = type_from_ast(graphql_schema, variable.type)
            if not isinstance(type_, GraphQLNonNull):
                continue
            inner = type_.of_type
            if isinstance(inner, GraphQLInputObjectType):
                values[variable.variable.name.value] = {}
            else:
                values[variable.variable.name.value] = samples.get(getattr(inner, "name", ""), "")
    return values


@pytest.mark.usefixtures("demo_data")
@pytest.mark.parametrize("login", DEMO_USERS)
async def test_every_mini_program_document_runs_the_same_on_both_executors(
    api: Api, login: str
) -> None:
    token = await api.login(login)
    for path in MINI_PROGRAM:
        document = path.read_text("utf-8")
        body = await api(document, sample_variables(document), token=token)
        assert "data" in body or "errors" in body
    assert MISMATCHES == []


# --- generated data -----------------------------------------------------------------------


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Cat(Named):
    lives: int | None


@strawberry.type
class Dog(Named):
    good: bool


Pet = Annotated[Cat | Dog, strawberry.union("Pet")]


@strawberry.type
class Leaf:
    name: str
    tag: str | None
    colour: Colour | None
    count: int | None
    when: datetime.datetime | None
    money: Money | None
    flags: list[bool | None] | None

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times

    @strawberry.field
    async def later(self) -> str | None:
        await asyncio.sleep(0)
        return self.tag

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError(f"broken {self.name}")


@strawberry.type
class Node:
    id: strawberry.ID
    leaf: Leaf | None
    strict_leaf: Leaf
    leaves: list[Leaf] | None
    maybe_leaves: list[Leaf | None]
    matrix: list[list[int | None]] | None
    pet: Pet | None
    named: Named | None
    child: Node | None


@strawberry.type
class Query:
    node: Node | None
    nodes: list[Node | None]
    strict: Node
    pets: list[Pet]

    @strawberry.field
    def echo(self, text: str) -> str:
        return text


class Boom(Exception):
    pass


class Later:
    """An awaitable that makes its coroutine only when awaited (unread values stay quiet)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Later({self.value!r})"

    def __await__(self) -> Generator[Any, None, Any]:
        return self.run().__await__()

    async def run(self) -> Any:
        await asyncio.sleep(0)
        return self.value


class World:
    """Values of every kind, from one seed, built anew for each run (coroutines await once)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def pick(self, good: Any, *odd: Any) -> Any:
        """Mostly the good value; else null, an exception value, an awaitable or a wrong type."""
        roll = self.rng.random()
        if roll < 0.7:
            return good
        if roll < 0.8:
            return None
        if roll < 0.85:
            return Boom("exception as a value")
        if roll < 0.9:
            return self.later(good)
        return self.rng.choice(odd) if odd else good

    @staticmethod
    def later(value: Any) -> Later:
        return Later(value)

    def leaf(self, n: int) -> Any:
        fields = {
            "name": self.pick(f"leaf{n}", 12, None),
            "tag": self.pick(f"t{n}", 3.5, True, b"bytes"),
            "colour": self.pick(self.rng.choice(list(Colour)), "RED", 7),
            "count": self.pick(n, 2**40, "12", "x", 1.5),
            "when": self.pick(datetime.datetime(2026, 1, 1, n % 24, tzinfo=datetime.UTC), "x"),
            "money": self.pick(Money(n * 101 - 50), "12.3", None),
            "flags": self.pick([True, None, self.pick(False, "no")], "flags", (True,)),
        }
        if self.rng.random() < 0.05:
            del fields["tag"]  # a missing attribute: getattr raises
        return SimpleNamespace(**fields)

    def leaves(self, n: int) -> Any:
        return [self.pick(self.leaf(n + i), None) for i in range(self.rng.randint(0, 3))]

    def pet(self, n: int) -> Any:
        if self.rng.random() < 0.5:
            return Cat(name=f"cat{n}", lives=self.pick(9, "nine"))
        return Dog(name=self.pick(f"dog{n}", None), good=self.pick(True, 0))

    def node(self, n: int, depth: int = 0) -> Any:
        return SimpleNamespace(
            id=self.pick(f"n{n}", 5, None),
            leaf=self.pick(self.leaf(n), "not an object"),
            strict_leaf=self.pick(self.leaf(n + 100)),
            leaves=self.pick(self.leaves(n), "abc", {"a": 1}, (self.leaf(n),)),
            maybe_leaves=self.pick(self.leaves(n)),
            matrix=self.pick([[1, None, self.pick(3, "x")], []], [5]),
            pet=self.pick(self.pet(n), self.leaf(n)),
            named=self.pick(self.pet(n)),
            child=self.node(n + 1, depth + 1) if depth < 2 and self.rng.random() < 0.5 else None,
        )

    def root(self) -> Any:
        return SimpleNamespace(
            node=self.pick(self.node(1)),
            nodes=[self.pick(self.node(i)) for i in range(self.rng.randint(0, 4))],
            strict=self.pick(self.node(50)),
            pets=self.pick([self.pet(i) for i in range(3)], [None], "pets"),
        )


LEAF = """fragment L on Leaf { name tag colour count when money flags }"""
GENERATED_DOCUMENTS: list[tuple[str, dict[str, Any]]] = [
    ("{ node { id leaf { name tag colour count when money flags } } }", {}),
    (
        LEAF + " { node { __typename id leaf { ...L shout(times: 2) later broken } "
        "strictLeaf { ...L } leaves { ...L } maybeLeaves { ...L __typename } matrix } }",
        {},
    ),
    (
        LEAF + " { strict { id strictLeaf { ...L } child { id strictLeaf { name } "
        "child { leaves { ...L } } } } nodes { id } }",
        {},
    ),
    (
        "query($deep: Boolean!, $skipTag: Boolean!) { nodes { id first: leaf { n: name "
        "t: tag @skip(if: $skipTag) } second: leaf @include(if: $deep) { name colour } "
        "... on Node { child @include(if: $deep) { id leaf { count } } } } }",
        {"deep": True, "skipTag": False},
    ),
    (
        "query($deep: Boolean!, $skipTag: Boolean!) { nodes { id first: leaf { n: name "
        "t: tag @skip(if: $skipTag) } second: leaf @include(if: $deep) { name colour } } }",
        {"deep": False, "skipTag": True},
    ),
    (
        "{ pets { __typename ... on Cat { name lives } ... on Dog { name good } } "
        "node { pet { ... on Named { name } ... on Cat { lives } } named { name __typename } } }",
        {},
    ),
    (
        "query($t: String!) { echo(text: $t) node { id leaf { name } leaf { tag } "
        "...F } } fragment F on Node { leaf { name count } maybeLeaves { name } }",
        {"t": "hello"},
    ),
]


def generated_schema(execution: type[FastExecution] | None) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        types=[Cat, Dog],
        config=StrawberryConfig(scalar_map=SCALARS),
        execution_context_class=execution,
    )


FAST = generated_schema(FastExecution)
REFERENCE = generated_schema(None)


async def both(document: str, variables: dict[str, Any], seed: int) -> tuple[Any, Any]:
    fast = await FAST.execute(document, variables, root_value=World(seed).root())
    reference = await REFERENCE.execute(document, variables, root_value=World(seed).root())
    return fast, reference


@pytest.mark.parametrize(("document", "variables"), GENERATED_DOCUMENTS)
async def test_generated_data_gives_the_same_data_and_errors(
    document: str, variables: dict[str, Any]
) -> None:
    errors_seen = 0
    for seed in range(60):
        fast, reference = await both(document, variables, seed)
        assert outcome(fast) == outcome(reference), f"seed {seed}"
        errors_seen += len(reference.errors or ())
    assert errors_seen > 0  # the data did exercise errors and null propagation


async def test_null_in_a_non_null_field_nulls_the_nearest_nullable_parent() -> None:
    root = World(0).root()
    root.strict = SimpleNamespace(**{**vars(World(1).node(1)), "strict_leaf": None})
    fast = await FAST.execute("{ strict { id strictLeaf { name } } }", root_value=root)
    assert fast.data is None
    assert [(e.message, e.path) for e in fast.errors or ()] == [
        ("Cannot return null for non-nullable field Node.strictLeaf.", ["strict", "strictLeaf"])
    ]


class Shouting(FastExecution):
    """A deliberately wrong fast path: the comparison must see it."""

    def execute_steps(self, *args: Any, **kwargs: Any) -> Any:
        result = super().execute_steps(*args, **kwargs)
        if isinstance(result, dict) and isinstance(result.get("name"), str):
            result["name"] = result["name"].upper()
        return result


async def test_the_comparison_sees_a_changed_result() -> None:
    document = "{ strict { strictLeaf { name } } }"
    root = SimpleNamespace(strict=SimpleNamespace(strict_leaf=SimpleNamespace(name="quiet")))
    wrong = await generated_schema(Shouting).execute(document, root_value=root)
    reference = await REFERENCE.execute(document, root_value=root)
    assert outcome(wrong) != outcome(reference)
    MISMATCHES.clear()
    compare(wrong, reference, document)
    assert len(MISMATCHES) == 1
    MISMATCHES.clear()


class Counting(FastExecution):
    infos = 0

    def build_resolve_info(self, *args: Any, **kwargs: Any) -> Any:
        Counting.infos += 1
        return super().build_resolve_info(*args, **kwargs)


async def test_plain_fields_are_completed_without_a_resolve_info() -> None:
    """Only the fields with a resolver (echo, shout) get one; the nine plain ones do not."""
    leaf = SimpleNamespace(
        name="a", tag="b", colour=Colour.RED, count=1, when=None, money=Money(5), flags=[True]
    )
    root = SimpleNamespace(strict=SimpleNamespace(strict_leaf=leaf))
    Counting.infos = 0
    document = LEAF + ' { echo(text: "x") strict { strictLeaf { ...L shout } } }'
    result = await generated_schema(Counting).execute(document, root_value=root)
    assert result.errors is None, result.errors
    assert result.data == {
        "echo": "x",
        "strict": {
            "strictLeaf": {
                "name": "a",
                "tag": "b",
                "colour": "RED",
                "count": 1,
                "when": None,
                "money": "0.05",
                "flags": [True],
                "shout": "A",
            }
        },
    }
    assert Counting.infos == 2
