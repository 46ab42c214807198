"""Raw SQL where the ORM costs round trips: portable statements and a write batch.

Statements are written once, in a neutral form: `"name"` quotes an identifier and `?` is a
parameter. `render` turns that into each engine's form (PostgreSQL `$1`, MySQL/MariaDB
backticks and `%s`, SQLite as written), so no statement is written twice. Never put a
literal string in a statement: values go in parameters.

`Writes` collects a unit of work's inserts and updates and sends them in one round trip:
on PostgreSQL as one statement whose parts are data-modifying CTEs (each reports the rows
it touched), on MySQL/MariaDB as one multi-statement query (asyncmy always enables them),
on SQLite one after another. Each statement may say how many rows it must touch and what
to raise if it touches another number: the conditional debit of a balance is one of them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.models import Model
from tortoise.transactions import _get_connection

_PARAMETER = re.compile(r"\?")


def connection() -> BaseDBAsyncClient:
    """The current transaction's connection (inside a unit of work), or the pool."""
    return _get_connection(None)


def render(sql: str, dialect: str, first: int = 1) -> str:
    """The neutral statement in this engine's form; PostgreSQL numbers from `first`."""
    if dialect == "postgres":
        numbers = iter(range(first, first + sql.count("?")))
        return _PARAMETER.sub(lambda _: f"${next(numbers)}", sql)
    if dialect == "mysql":
        return sql.replace('"', "`").replace("?", "%s")
    return sql


def for_update(dialect: str) -> str:
    """A row lock for the rows a SELECT reads; SQLite serializes writers instead."""
    return "" if dialect == "sqlite" else " FOR UPDATE"


async def fetch(sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of one neutral SELECT, in one round trip, as dicts keyed by column label."""
    conn = connection()
    return list(await conn.execute_query_dict(render(sql, conn.capabilities.dialect), [*params]))


def new_key(model: type[Model]) -> Any:
    """A primary key made in Python, or None if the database makes it (an auto-increment)."""
    pk = model._meta.pk
    if pk.generated:
        return None
    default = pk.default
    return default() if callable(default) else uuid.uuid4()


@dataclass
class Statement:
    sql: str  # neutral form
    params: list[Any]
    expect: int | None = None  # rows it must touch, or None
    refusal: Exception | None = None  # raised when it touches another number


def insert(model: type[Model], rows: Sequence[Mapping[str, Any]]) -> Statement:
    """One INSERT of `rows` (dicts of field names → Python values) into the model's table.

    Values are converted as the ORM converts them (`to_db_value`); a primary key the
    database generates is left out unless given; every row must name the same fields.
    """
    meta = model._meta
    names = list(rows[0])
    columns = [meta.fields_db_projection[name] for name in names]
    fields_ = [meta.fields_map[name] for name in names]
    params: list[Any] = []
    for row in rows:
        if list(row) != names:
            raise ValueError("every row of one insert names the same fields, in order")
        params += [f.to_db_value(row[name], model) for name, f in zip(names, fields_, strict=True)]
    one = "(" + ", ".join("?" * len(columns)) + ")"
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{meta.db_table}" ({quoted}) VALUES ' + ", ".join([one] * len(rows))
    return Statement(sql, params, expect=len(rows))


@dataclass
class Writes:
    """A unit of work's writes, sent together by `flush` (see the module's doc)."""

    statements: list[Statement] = field(default_factory=list)

    def add(self, statement: Statement, *, first: bool = False) -> None:
        if first:
            self.statements.insert(0, statement)
        else:
            self.statements.append(statement)

    def insert(
        self, model: type[Model], rows: Sequence[Mapping[str, Any]], *, first: bool = False
    ) -> None:
        if rows:
            self.add(insert(model, rows), first=first)

    def update(
        self,
        sql: str,
        params: Sequence[Any],
        *,
        expect: int | None = 1,
        refusal: Exception | None = None,
    ) -> None:
        """A neutral UPDATE; if it touches another number of rows than `expect`, `refusal`
        is raised (or an AssertionError: a row that must be there was not)."""
        self.add(Statement(sql, [*params], expect, refusal))

    async def flush(self) -> None:
        """Send every statement collected, in one round trip where the engine allows it;
        then check each one's row count, in order. Empties the batch."""
        statements, self.statements = self.statements, []
        if not statements:
            return
        conn = connection()
        dialect = conn.capabilities.dialect
        if dialect == "postgres" and len(statements) > 1:
            counts = await _postgres(conn, statements)
        elif dialect == "mysql" and len(statements) > 1:
            counts = await _mysql(conn, statements)
        else:
            counts = [
                (await conn.execute_query(render(s.sql, dialect), s.params))[0] for s in statements
            ]
        for statement, count in zip(statements, counts, strict=True):
            if statement.expect is not None and count != statement.expect:
                if statement.refusal is not None:
                    raise statement.refusal
                raise AssertionError(
                    f"{count} rows where {statement.expect} were expected: {statement.sql}"
                )


async def _postgres(conn: BaseDBAsyncClient, statements: list[Statement]) -> list[int]:
    """One statement: each write a data-modifying CTE, all run once, to completion, against
    the same snapshot (so no two may touch the same row), foreign keys checked at its end."""
    parts: list[str] = []
    params: list[Any] = []
    for n, s in enumerate(statements):
        parts.append(f"w{n} AS ({render(s.sql, 'postgres', len(params) + 1)} RETURNING 1)")
        params += s.params
    counts = ", ".join(f"(SELECT count(*) FROM w{n}) AS n{n}" for n in range(len(statements)))
    rows = await conn.execute_query_dict(f"WITH {', '.join(parts)} SELECT {counts}", params)
    return [int(rows[0][f"n{n}"]) for n in range(len(statements))]


async def _mysql(conn: BaseDBAsyncClient, statements: list[Statement]) -> list[int]:
    """One multi-statement query; the server stops at the first that fails and the error is
    raised when its result is read, so every result is read before returning."""
    from asyncmy import errors

    sql = ";\n".join(render(s.sql, "mysql") for s in statements)
    params = [p for s in statements for p in s.params]
    counts: list[int] = []
    try:
        async with conn.acquire_connection() as raw, raw.cursor() as cursor:
            await cursor.execute(sql, params)
            counts.append(cursor.rowcount)
            while len(counts) < len(statements):
                await cursor.nextset()
                counts.append(cursor.rowcount)
    except errors.IntegrityError as error:
        raise IntegrityError(error) from error
    except errors.MySQLError as error:
        raise OperationalError(error) from error
    return counts
