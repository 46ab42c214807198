"""The unit of work runs again when the database aborts it (40001, 40P01, MySQL 1213/1205).

Faults are injected by the database itself: a trigger raises a serialization failure (or,
on MySQL, a deadlock) for the first N inserts into a table, counted by a sequence, which
is not rolled back with the aborted transaction.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from tortoise import Tortoise

from gongji.audit.models import AuditEntry
from gongji.demo import demo_api_key
from gongji.payments.models import Payment
from gongji.transactions import RetryPolicy, atomic
from gongji.wallets.models import WalletTransfer
from tests.conftest import Api, bill_input, create_bill

pytestmark = pytest.mark.server_db

ON_MYSQL = os.environ.get("GONGJI_TEST_DATABASE_URL", "").startswith("mysql://")

POSTGRES_FAULT = [
    "CREATE TABLE IF NOT EXISTS fault_config (tbl VARCHAR(64), failures INT)",
    """CREATE OR REPLACE FUNCTION inject_fault() RETURNS trigger AS $$
    BEGIN
      IF nextval('fault_seq_' || TG_TABLE_NAME)
         <= (SELECT failures FROM fault_config WHERE tbl = TG_TABLE_NAME)
      THEN RAISE EXCEPTION 'injected serialization failure' USING ERRCODE = '40001';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
]
MYSQL_FAULT = ["CREATE TABLE IF NOT EXISTS fault_config (tbl VARCHAR(64), failures INT)"]


def _trigger(table: str) -> list[str]:
    sequence = [f"DROP SEQUENCE IF EXISTS fault_seq_{table}", f"CREATE SEQUENCE fault_seq_{table}"]
    if ON_MYSQL:
        return [
            *sequence,
            f"DROP TRIGGER IF EXISTS fault_{table}",
            f"""CREATE TRIGGER fault_{table} BEFORE INSERT ON `{table}` FOR EACH ROW
            BEGIN
              IF NEXTVAL(fault_seq_{table})
                 <= (SELECT failures FROM fault_config WHERE tbl = '{table}')
              THEN SIGNAL SQLSTATE '40001'
                SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'injected deadlock';
              END IF;
            END""",
        ]
    return [
        *sequence,
        f'DROP TRIGGER IF EXISTS fault_{table} ON "{table}"',
        f'CREATE TRIGGER fault_{table} BEFORE INSERT ON "{table}" '
        "FOR EACH ROW EXECUTE FUNCTION inject_fault()",
    ]


Inject = Callable[[str, int], Awaitable[None]]


@pytest.fixture
async def inject() -> AsyncIterator[Inject]:
    """inject(table, n): the next n inserts into `table` abort their transaction."""
    connection = Tortoise.get_connection("default")
    tables: list[str] = []

    async def arm(table: str, failures: int) -> None:
        for statement in MYSQL_FAULT if ON_MYSQL else POSTGRES_FAULT:
            await connection.execute_script(statement)
        for statement in _trigger(table):
            await connection.execute_script(statement)
        await connection.execute_query(
            "INSERT INTO fault_config VALUES (%s, %s)"
            if ON_MYSQL
            else "INSERT INTO fault_config VALUES ($1, $2)",
            [table, failures],
        )
        tables.append(table)

    yield arm
    for table in tables:
        await connection.execute_script(
            f"DROP TRIGGER IF EXISTS fault_{table}" + ("" if ON_MYSQL else f" ON {table}")
        )
    await connection.execute_script("DROP TABLE IF EXISTS fault_config")


FAST = RetryPolicy(attempts=6, base_seconds=0.001, cap_seconds=0.01)


@pytest.mark.usefixtures("clean_db")
async def test_an_aborted_unit_of_work_runs_again_and_commits_once(inject: Inject) -> None:
    await inject("audit_entry", 3)
    runs = 0

    async def work() -> int:
        nonlocal runs
        runs += 1
        entry = await AuditEntry.create(
            at="2026-03-10T02:00:00+00:00", actor_kind="system", actor_id="t", action="retry"
        )
        return entry.id

    await atomic(work, FAST)
    assert runs == 4
    assert await AuditEntry.filter(action="retry").count() == 1


@pytest.mark.usefixtures("clean_db")
async def test_it_gives_up_after_its_attempts_and_keeps_nothing(inject: Inject) -> None:
    await inject("audit_entry", 100)

    async def work() -> None:
        await AuditEntry.create(
            at="2026-03-10T02:00:00+00:00", actor_kind="system", actor_id="t", action="never"
        )

    with pytest.raises(Exception) as caught:
        await atomic(work, FAST)
    assert "injected" in str(caught.value)
    assert await AuditEntry.filter(action="never").count() == 0


@pytest.mark.usefixtures("reconciled")
async def test_money_operations_aborted_twice_each_complete_exactly_once(
    api: Api, family: dict[str, str], inject: Inject
) -> None:
    """Pay, a wallet transfer and an authorization change, each aborted by the database on
    its first two attempts: each moves its money once, and the ledger balances (fixture)."""
    bill = await create_bill(
        api, demo_api_key("H41010500002"), bill_input("RT-1", ("药", "DRUG", "50.00"))
    )
    await inject("ledger_entry", 2)
    paid = await api.data(
        """mutation($b:ID!,$a:ID!){ pay(billId:$b, authorizationId:$a, idempotencyKey:"retry-pay-1")
        { replayed payment { acctMulaidPay } errors { code } } }""",
        {"b": bill, "a": family["auth"]},
        token=family["mother"],
    )
    assert paid["pay"] == {"replayed": False, "payment": {"acctMulaidPay": "50.00"}, "errors": []}
    assert await Payment.all().count() == 1

    transfers = await WalletTransfer.all().count()
    await inject("wallet_transfer", 2)
    moved = await api.data(
        """mutation { transferToWallet(amount: "100.00", idempotencyKey: "retry-transfer-1")
        { replayed errors { code } } }""",
        token=family["zhang"],
    )
    assert moved["transferToWallet"] == {"replayed": False, "errors": []}
    assert await WalletTransfer.all().count() == transfers + 1

    await inject("audit_entry", 2)
    changed = await api.data(
        """mutation($a:ID!){ changeAuthorization(authorizationId:$a, quota:"600.00")
        { authorization { quota } errors { code } } }""",
        {"a": family["auth"]},
        token=family["zhang"],
    )
    assert changed["changeAuthorization"] == {"authorization": {"quota": "600.00"}, "errors": []}


READ_FAULT_POSTGRES = """CREATE OR REPLACE FUNCTION fault_read() RETURNS int AS $$
    BEGIN
      IF nextval('fault_seq_read') <= 2
      THEN RAISE EXCEPTION 'injected serialization failure' USING ERRCODE = '40001';
      END IF;
      RETURN 1;
    END $$ LANGUAGE plpgsql"""
READ_FAULT_MYSQL = """CREATE FUNCTION fault_read() RETURNS INT NOT DETERMINISTIC
    BEGIN
      IF NEXTVAL(fault_seq_read) <= 2
      THEN SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'injected deadlock';
      END IF;
      RETURN 1;
    END"""


@pytest.mark.usefixtures("clean_db")
async def test_a_statement_outside_any_unit_of_work_runs_again(inject: Inject) -> None:
    """A plain read, or one autocommit insert, is a transaction of its own: the connection
    runs it again when the database aborts it (at SERIALIZABLE a read-only one can be)."""
    connection = Tortoise.get_connection("default")
    for statement in [
        "DROP SEQUENCE IF EXISTS fault_seq_read",
        "CREATE SEQUENCE fault_seq_read",
        "DROP FUNCTION IF EXISTS fault_read" + ("" if ON_MYSQL else "()"),
        READ_FAULT_MYSQL if ON_MYSQL else READ_FAULT_POSTGRES,
    ]:
        await connection.execute_script(statement)
    try:
        assert await connection.execute_query_dict("SELECT fault_read() AS ok") == [{"ok": 1}]
    finally:
        await connection.execute_script("DROP FUNCTION fault_read" + ("" if ON_MYSQL else "()"))

    await inject("audit_entry", 2)
    await AuditEntry.create(
        at="2026-03-10T02:00:00+00:00", actor_kind="system", actor_id="t", action="plain"
    )
    assert await AuditEntry.filter(action="plain").count() == 1


COMMIT_FAULT = [
    "DROP SEQUENCE IF EXISTS fault_seq_commit",
    "CREATE SEQUENCE fault_seq_commit",
    """CREATE OR REPLACE FUNCTION fault_at_commit() RETURNS trigger AS $$
    BEGIN
      IF nextval('fault_seq_commit') <= 2
      THEN RAISE EXCEPTION 'injected serialization failure' USING ERRCODE = '40001';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS fault_commit ON audit_entry",
    "CREATE CONSTRAINT TRIGGER fault_commit AFTER INSERT ON audit_entry"
    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fault_at_commit()",
]


@pytest.mark.skipif(ON_MYSQL, reason="MySQL has no deferred triggers to refuse a commit with")
@pytest.mark.usefixtures("clean_db")
async def test_a_commit_refused_runs_the_work_again_and_returns_what_was_committed() -> None:
    """SERIALIZABLE may refuse the COMMIT itself (a deferred trigger does so here): the result
    handed back must be the one of the attempt that committed, not of one rolled back."""
    connection = Tortoise.get_connection("default")
    for statement in COMMIT_FAULT:
        await connection.execute_script(statement)
    runs = 0

    async def work() -> object:
        nonlocal runs
        runs += 1
        entry = await AuditEntry.create(
            at="2026-03-10T02:00:00+00:00", actor_kind="system", actor_id="t", action="commit"
        )
        return entry.id

    try:
        made = await atomic(work, FAST)
    finally:
        await connection.execute_script("DROP TRIGGER IF EXISTS fault_commit ON audit_entry")
    assert runs == 3
    assert [e.id for e in await AuditEntry.filter(action="commit")] == [made]
