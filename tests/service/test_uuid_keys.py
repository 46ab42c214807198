"""Every table has a UUID key made in Python; 0007 gave the old integer-keyed rows theirs."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

from tortoise import Tortoise, fields

from gongji.keys import key_at, new_key
from tests.conftest import ON_MYSQL


async def test_every_primary_key_is_a_uuid_made_without_the_database(database: str) -> None:
    models = list(Tortoise.apps.get_models_iterable())
    assert len(models) >= 20
    for model in models:
        pk = model._meta.pk
        assert isinstance(pk, fields.UUIDField), f"{model.__name__}.{pk.model_field_name}"
        assert callable(pk.default), model.__name__  # Model.create/bulk_create need no trip
        assert not pk.generated, model.__name__


def test_new_keys_are_time_ordered_version_7() -> None:
    keys = [new_key() for _ in range(1000)]
    assert keys == sorted(keys) and len(set(keys)) == 1000
    assert {k.version for k in keys} == {7} and {k.variant for k in keys} == {uuid.RFC_4122}
    assert sorted(keys, key=str) == keys  # text order (SQLite, MySQL CHAR(36)) = byte order


def test_migrated_keys_keep_the_order_of_time_then_old_key() -> None:
    moment = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    made = [
        key_at(moment, 2),
        key_at(moment, 1),
        key_at(moment + timedelta(microseconds=300), 1),
        key_at(moment - timedelta(days=400), 9),
    ]
    assert sorted(made) == [made[3], made[1], made[0], made[2]]
    assert key_at(moment, 1) == key_at(moment.replace(tzinfo=None), 1)  # stored UTC, naive


# 0006's schema, as an operator's database had it: a family's contribution and quota in the
# ledger, a bill with two lines, three usage records (two at one instant), audit, idempotency.
MEMBER, SHOP, BILL = (
    "10000000-0000-0000-0000-000000000001",
    "20000000-0000-0000-0000-000000000002",
    "30000000-0000-0000-0000-000000000003",
)


def _rows(at: str) -> list[str]:
    t1, t2, t3 = (at.format(minute=m) for m in (1, 2, 3))
    return [
        "INSERT INTO member (id, name, insurance_type, insured_region, status, created_at,"
        " updated_at, id_number_index, id_number_sealed, phone_sealed) VALUES"
        f" ('{MEMBER}', '张伟', 'employee', '620100', 'normal', '{t1}', '{t1}', 'i', 's', 'p')",
        "INSERT INTO institution (id, code, name, kind, region, active) VALUES"
        f" ('{SHOP}', 'H62010000001', '医院', 'hospital', '620100', TRUE)",
        "INSERT INTO bill (id, external_ref, content_hash, visit_type, medfee_sumamt, hifp_pay,"
        " fulamt_ownpay_amt, status, created_at, institution_id, patient_id) VALUES"
        f" ('{BILL}', 'B-1', 'h', '11', 5000, 0, 0, 'open', '{t2}', '{SHOP}', '{MEMBER}')",
        "INSERT INTO bill_item (id, position, name, category, amount, bill_id) VALUES"
        f" (7, 0, '阿莫西林', 'drug', 3000, '{BILL}'), (8, 1, '血常规', 'examination', 2000,"
        f" '{BILL}')",
        "INSERT INTO ledger_account (id, kind, owner, balance, allow_negative, created_at) VALUES"
        f" (1, 'contributions', 'system', -100000, TRUE, '{t1}'),"
        f" (2, 'wallet', 'member:{MEMBER}', 70000, FALSE, '{t1}'),"
        f" (5, 'quota', 'authorization:a', 30000, FALSE, '{t2}')",
        "INSERT INTO ledger_transaction (id, kind, reference, memo, created_at) VALUES"
        f" (3, 'contribution', 'T-1', '', '{t1}'), (4, 'authorize', 'T-2', '', '{t2}')",
        "INSERT INTO ledger_entry (id, amount, account_id, transaction_id) VALUES"
        " (10, -100000, 1, 3), (11, 100000, 2, 3), (12, -30000, 2, 4), (13, 30000, 5, 4)",
        "INSERT INTO usage_record (id, occurred_at, kind, total, fund, family, cash, amount,"
        " reference, patient_id, authorizer_id) VALUES"
        f" (21, '{t3}', 'payment', 5000, 0, 3000, 2000, 3000, 'R-a', '{MEMBER}', '{MEMBER}'),"
        f" (22, '{t3}', 'payment', 100, 0, 100, 0, 100, 'R-b', '{MEMBER}', '{MEMBER}'),"
        f" (20, '{t2}', 'premium', 0, 0, 38000, 0, 38000, 'R-c', '{MEMBER}', '{MEMBER}')",
        "INSERT INTO audit_entry (id, at, actor_kind, actor_id, action, subject_id, reason,"
        f" detail) VALUES (31, '{t2}', 'agent', 'a1', 'family.agent_unbind', 's', 'r',"
        f" '{{\"n\": 1}}'), (30, '{t2}', 'system', 'x', 'demo', '', '', '{{}}')",
        "INSERT INTO idempotency_record (id, scope, `key`, operation, request_hash, result_id,"
        f" created_at) VALUES (40, 'member:{MEMBER}', 'k1', 'pay', 'h', 'p1', '{t3}')",
    ]


MIGRATE_WITH_DATA = """
import asyncio, json, sys
from datetime import UTC, datetime
from tortoise.context import TortoiseContext
from gongji import db

url, statements = sys.argv[1], json.loads(sys.argv[2])
READS = {
    "entries": "SELECT t.reference, a.owner, e.amount FROM ledger_entry e"
    " JOIN ledger_transaction t ON t.id = e.transaction_id"
    " JOIN ledger_account a ON a.id = e.account_id ORDER BY t.reference, e.amount",
    "accounts": "SELECT kind, owner, balance FROM ledger_account ORDER BY created_at, id",
    "records": "SELECT reference, amount FROM usage_record ORDER BY occurred_at DESC, id DESC",
    "items": "SELECT b.external_ref, i.name, i.amount FROM bill_item i"
    " JOIN bill b ON b.id = i.bill_id ORDER BY i.position",
    "audit": "SELECT action, reason FROM audit_entry ORDER BY at, id",
    "idempotency": "SELECT scope, operation, result_id FROM idempotency_record",
}
TABLES = ["ledger_account", "ledger_transaction", "ledger_entry", "usage_record", "bill_item",
          "audit_entry", "idempotency_record"]

async def read(connection):
    return {name: [list(map(str, row.values())) for row in await connection.execute_query_dict(sql)]
            for name, sql in READS.items()}

async def main():
    await db.migrate(url, target="gongji.0006_partner")
    async with TortoiseContext() as ctx:
        await ctx.init(config=db.tortoise_config(url))
        connection = ctx.connections.get("default")
        for statement in statements:
            await connection.execute_script(statement)
        before = await read(connection)
    await db.migrate(url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=db.tortoise_config(url))
        connection = ctx.connections.get("default")
        after = await read(connection)
        keys = [str(row["id"]) for t in TABLES
                for row in await connection.execute_query_dict(f"SELECT id FROM {t}")]
        from gongji.ledger import service as ledger
        from gongji.ledger.models import Account
        clean = (await ledger.reconcile()).problems
        wallet = await Account.get(kind="wallet")
        quota = await Account.get(kind="quota")
        now = datetime.now(UTC)
        posted = await ledger.post(kind="pay", reference="T-3", now=now,
                                   movements=[(wallet, -500), (quota, 500)])
        again = (await ledger.reconcile()).problems
    print(json.dumps({"before": before, "after": after, "keys": keys, "problems": clean,
                      "after_posting": again, "posted": str(posted.id)}))

asyncio.run(main())
"""


def test_0007_gives_old_rows_uuid_keys_and_loses_nothing(scratch_url: str) -> None:
    at = "2026-03-10 02:0{minute}:00" + ("" if ON_MYSQL else "+00:00")
    rows = [s if ON_MYSQL else s.replace("`key`", '"key"') for s in _rows(at)]
    done = subprocess.run(
        [sys.executable, "-c", MIGRATE_WITH_DATA, scratch_url, json.dumps(rows)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["after"] == result["before"]
    assert result["before"]["records"] == [["R-b", "100"], ["R-a", "3000"], ["R-c", "38000"]]
    assert len(result["before"]["entries"]) == 4
    assert len(result["keys"]) == 3 + 2 + 4 + 3 + 2 + 2 + 1
    assert {uuid.UUID(k).version for k in result["keys"]} == {7}
    assert result["problems"] == [] and result["after_posting"] == []
    assert uuid.UUID(result["posted"]).version == 7
