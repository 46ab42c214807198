"""UUID keys for the seven tables that still had sequential integer keys.

Every row keeps its data; its new key is a UUIDv7 made from the row's time and its old key
(`gongji.keys.key_at`), so keyset pages over (time, key) read in the same order as before,
and references to the ledger's transactions and accounts follow their rows.

The same steps on SQLite, PostgreSQL and MySQL/MariaDB, in portable SQL: copy each table
aside (CREATE TABLE … AS SELECT), keep a map of old key to new key beside it, drop the
tables, create them again from the models, copy the rows back through the maps. Rebuilding
instead of altering in place avoids SQLite's missing ALTER … TYPE and every engine's own
rules for changing a primary key under foreign keys; indexes and constraints come out named
exactly as on a database created from scratch.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state_apps import StateApps

from gongji.keys import key_at, new_key

# (model, table, how to read each row's time, the maps its foreign keys go through),
# parents before children: ledger_entry refers to ledger_transaction and ledger_account.
TABLES: list[tuple[str, str, str, dict[str, str]]] = [
    ("Account", "ledger_account", "SELECT o.id, o.created_at AS at FROM ledger_account__old o", {}),
    (
        "LedgerTransaction",
        "ledger_transaction",
        "SELECT o.id, o.created_at AS at FROM ledger_transaction__old o",
        {},
    ),
    (
        "Entry",
        "ledger_entry",
        "SELECT o.id, t.created_at AS at FROM ledger_entry__old o"
        " JOIN ledger_transaction__old t ON t.id = o.transaction_id",
        {"transaction_id": "ledger_transaction", "account_id": "ledger_account"},
    ),
    ("UsageRecord", "usage_record", "SELECT o.id, o.occurred_at AS at FROM usage_record__old o", {}),
    (
        "BillItem",
        "bill_item",
        "SELECT o.id, b.created_at AS at FROM bill_item__old o JOIN bill b ON b.id = o.bill_id",
        {},
    ),
    ("AuditEntry", "audit_entry", "SELECT o.id, o.at AS at FROM audit_entry__old o", {}),
    (
        "IdempotencyRecord",
        "idempotency_record",
        "SELECT o.id, o.created_at AS at FROM idempotency_record__old o",
        {},
    ),
]
BATCH = 5000


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if value is None:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return datetime.fromisoformat(str(value))  # SQLite keeps text


def _q(dialect: str) -> Callable[[str], str]:
    mark = "`" if dialect == "mysql" else '"'
    return lambda name: f"{mark}{name}{mark}"


async def to_uuid_keys(apps: StateApps, editor: BaseSchemaEditor) -> None:
    client = editor.client
    dialect = client.capabilities.dialect
    q = _q(dialect)
    key_type = "UUID" if dialect == "postgres" else "CHAR(36)"
    param = {"postgres": "$1", "mysql": "%s"}.get(dialect, "?")
    pair = {"postgres": "($1, $2)", "mysql": "(%s, %s)"}.get(dialect, "(?, ?)")

    async def run(sql: str) -> None:
        await editor._run_sql(sql)

    for _, table, _, _ in TABLES:  # aside, with the map of keys
        await run(f"CREATE TABLE {q(table + '__old')} AS SELECT * FROM {q(table)}")
        await run(
            f"CREATE TABLE {q(table + '__keys')} "
            f"(old_id BIGINT NOT NULL PRIMARY KEY, new_id {key_type} NOT NULL)"
        )
    for _, table, read, _ in TABLES:
        last = -1
        while True:
            rows = await client.execute_query_dict(
                f"{read} WHERE o.id > {param} ORDER BY o.id LIMIT {BATCH}", [last]
            )
            if not rows:
                break
            keys = [(row["id"], key_at(_moment(row["at"]), row["id"])) for row in rows]
            await client.execute_many(
                f"INSERT INTO {q(table + '__keys')} (old_id, new_id) VALUES {pair}",
                [[old, new if dialect == "postgres" else str(new)] for old, new in keys],
            )
            last = rows[-1]["id"]
    for _, table, _, _ in reversed(TABLES):  # children first
        await run(f"DROP TABLE {q(table)}")
    for model_name, table, _, references in TABLES:
        model = apps.get_model("gongji", model_name)
        await editor.create_model(model)
        columns = [c for c in model._meta.fields_db_projection.values() if c != "id"]
        chosen = [
            f"{q(references[c] + '__keys')}.new_id" if c in references else f"o.{q(c)}"
            for c in columns
        ]
        joins = "".join(
            f" JOIN {q(parent + '__keys')} ON {q(parent + '__keys')}.old_id = o.{q(column)}"
            for column, parent in references.items()
        )
        await run(
            f"INSERT INTO {q(table)} (id, {', '.join(q(c) for c in columns)}) "
            f"SELECT k.new_id, {', '.join(chosen)} FROM {q(table + '__old')} o "
            f"JOIN {q(table + '__keys')} k ON k.old_id = o.id{joins}"
        )
    for _, table, _, _ in reversed(TABLES):
        await run(f"DROP TABLE {q(table + '__old')}")
        await run(f"DROP TABLE {q(table + '__keys')}")


def _uuid_key() -> fields.UUIDField:
    return fields.UUIDField(primary_key=True, default=new_key, unique=True, db_index=True)


class _StateOnly(ops.AlterField):
    """Changes the migration state only; `to_uuid_keys` changes the database."""

    async def database_forward(self, *args: Any, **kwargs: Any) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [("gongji", "0006_partner")]

    initial = False

    operations = [
        *[_StateOnly(model_name=model, name="id", field=_uuid_key()) for model, *_ in TABLES],
        ops.RunPython(to_uuid_keys),
    ]
