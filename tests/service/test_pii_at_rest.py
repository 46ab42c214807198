"""ID numbers and phone numbers are sealed at rest; keys rotate; tampering is caught (issue #9)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise

from gongji import pii
from gongji.demo import PEOPLE, demo_api_key
from gongji.members import queries
from gongji.members import service as members
from gongji.members.models import Member
from gongji.settings import ConfigurationError, Settings
from tests.conftest import ON_MYSQL, ON_POSTGRES, Api, person

pytestmark = pytest.mark.usefixtures("demo_data")

SECRETS = [p.id_number for p in PEOPLE] + [p.phone for p in PEOPLE if p.phone]
ME = "{ me { name idNumber phone } }"


@pytest.fixture
def keys() -> Iterator[pii.Keyring]:
    """The keys the demo data was sealed with; whatever a test installs is undone after it."""
    before = pii.keyring()
    yield before
    pii.use(before)


async def every_row() -> list[tuple[str, dict[str, Any]]]:
    """Every row of every table, all columns, read with plain SQL."""
    connection = Tortoise.get_connection("default")
    if ON_POSTGRES:
        listing = "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
    elif ON_MYSQL:
        listing = (
            "SELECT table_name AS name FROM information_schema.tables"
            " WHERE table_schema = DATABASE()"
        )
    else:
        listing = "SELECT name FROM sqlite_master WHERE type = 'table'"
    quote = "`" if ON_MYSQL else '"'
    rows = []
    for table in [t["name"] for t in await connection.execute_query_dict(listing)]:
        for row in await connection.execute_query_dict(f"SELECT * FROM {quote}{table}{quote}"):
            rows.append((table, row))
    return rows


async def pay_a_bill(api: Api) -> None:
    """The README's walkthrough: 张伟 authorizes his mother, a hospital bills her, she pays."""
    zhang = await api.login("demo-zhangwei")
    groups = await api.data("{ myFamilyGroups { members { person { id name } } } }", token=zhang)
    mother = next(
        m["person"]["id"]
        for g in groups["myFamilyGroups"]
        for m in g["members"]
        if m["person"]["name"] == "王秀英"
    )
    granted = await api.data(
        "mutation($r:ID!){authorizeFamilyMember(relativeId:$r,quota:\"500.00\"){"
        "authorization{id} errors{code}}}",
        {"r": mother},
        token=zhang,
    )
    bill = await api.data(
        "mutation($i:CreateBillInput!){createBill(input:$i){bill{id} errors{code}}}",
        {
            "i": {
                "externalRef": "PII-1",
                "patientName": "王秀英",
                "patientIdNumber": person("王秀英").id_number,
                "visitType": "OUTPATIENT",
                "items": [{"name": "阿莫西林胶囊", "category": "DRUG", "amount": "86.00"}],
                "medfeeSumamt": "86.00",
                "hifpPay": "20.00",
                "fulamtOwnpayAmt": "0",
            }
        },
        token=demo_api_key("H41010500002"),
    )
    paid = await api.data(
        "mutation($b:ID!,$a:ID!){pay(billId:$b,authorizationId:$a,idempotencyKey:\"pii-pay-1\"){"
        "payment{acctMulaidPay} errors{code}}}",
        {
            "b": bill["createBill"]["bill"]["id"],
            "a": granted["authorizeFamilyMember"]["authorization"]["id"],
        },
        token=await api.login("demo-wangxiuying"),
    )
    assert paid["pay"] == {"payment": {"acctMulaidPay": "66.00"}, "errors": []}


async def test_no_table_holds_an_id_number_or_phone_in_clear(api: Api) -> None:
    await pay_a_bill(api)
    rows = await every_row()
    assert any(table == "payment" for table, _ in rows)
    found = [
        (table, column)
        for table, row in rows
        for column, value in row.items()
        for secret in SECRETS
        if secret in str(value) or secret.lower() in str(value)
    ]
    assert found == []
    zhang = await api.login("demo-zhangwei")  # and the API still shows them, masked
    me = (await api.data(ME, token=zhang))["me"]
    assert me == {"name": "张伟", "idNumber": "620102********0119", "phone": "138****0001"}


async def test_rotation_reseals_everything_under_the_new_key(
    api: Api, keys: pii.Keyring
) -> None:
    new_key = b"n" * 32
    pii.use(pii.Keyring(current="k1", keys={"k1": new_key, **keys.keys}, index_key=keys.index_key))
    zhang = await queries.find(person("张伟").id_number)
    assert zhang is not None and pii.key_id(zhang.id_number_sealed) == keys.current
    assert zhang.id_number == person("张伟").id_number  # the old key still opens

    assert await members.rotate_keys() == (len(PEOPLE), len(PEOPLE))
    assert await members.rotate_keys() == (len(PEOPLE), 0)  # idempotent

    pii.use(pii.Keyring(current="k1", keys={"k1": new_key}, index_key=keys.index_key))
    for member in await Member.all():
        sealed = [member.id_number_sealed] + ([member.phone_sealed] if member.phone_sealed else [])
        assert {pii.key_id(value) for value in sealed} == {"k1"}
    found = await queries.find(person("赵敏").id_number, name="赵敏")
    assert found is not None and found.phone == "13800138000"
    token = await api.login("demo-zhangwei")
    assert (await api.data(ME, token=token))["me"]["idNumber"] == "620102********0119"


async def test_a_new_index_key_is_taken_up_by_rotation(keys: pii.Keyring) -> None:
    pii.use(pii.Keyring(current=keys.current, keys=keys.keys, index_key=b"x" * 32))
    assert await queries.find(person("张伟").id_number) is None  # until rotate-keys has run
    assert await members.rotate_keys() == (len(PEOPLE), len(PEOPLE))
    assert await queries.find(person("张伟").id_number) is not None


async def test_rotation_stops_on_a_value_it_cannot_open(keys: pii.Keyring) -> None:
    pii.use(pii.Keyring(current="k1", keys={"k1": b"n" * 32}, index_key=keys.index_key))
    with pytest.raises(pii.UnreadableValue, match=r"^member [0-9a-f-]{36}: member\.id_number"):
        await members.rotate_keys()


async def test_a_tampered_value_is_an_error_not_a_wrong_answer(api: Api) -> None:
    zhang = await queries.find(person("张伟").id_number)
    assert zhang is not None
    head, payload = zhang.id_number_sealed.rsplit(".", 1)
    flipped = bytearray(base64.b64decode(payload))
    flipped[-20] ^= 0x04  # one bit of the ciphertext, changed in the database
    tampered = f"{head}.{base64.b64encode(bytes(flipped)).decode()}"
    await Member.filter(id=zhang.id).update(id_number_sealed=tampered)
    reread = await Member.get(id=zhang.id)
    with pytest.raises(pii.UnreadableValue, match="failed authentication"):
        _ = reread.id_number
    body = await api(ME, token=await api.login("demo-zhangwei"))
    assert body["data"] is None or body["data"]["me"] is None
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


# Run in its own process: migrating another database re-binds the ORM's models to it.
MIGRATE_A_DATABASE_FROM_BEFORE = """
import asyncio, json, sys
from tortoise.context import TortoiseContext
from gongji import db

url, number, member = sys.argv[1], sys.argv[2], "10000000-0000-0000-0000-000000000000"

async def main():
    await db.migrate(url, target="gongji.0003_usage_records")
    async with TortoiseContext() as ctx:
        await ctx.init(config=db.tortoise_config(url))
        await ctx.connections.get("default").execute_script(
            "INSERT INTO member (id, name, id_number, insurance_type, insured_region, status, "
            f"phone, created_at, updated_at) VALUES ('{member}', 'x', '{number}', 'employee', "
            "'620100', 'normal', '13893100001', '2026-01-01', '2026-01-01');"
            "INSERT INTO wechat_user (id, openid, member_id, created_at) VALUES "
            f"('20000000-0000-0000-0000-000000000000', 'o', '{member}', '2026-01-01')")
    await db.migrate(url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=db.tortoise_config(url))
        connection = ctx.connections.get("default")
        print(json.dumps({
            "member": await connection.execute_query_dict("SELECT * FROM member"),
            "linked": await connection.execute_query_dict("SELECT member_id FROM wechat_user"),
            "indexes": await connection.execute_query_dict("PRAGMA index_list(member)"),
        }))

asyncio.run(main())
"""


def test_the_migration_seals_rows_written_before_it(tmp_path: Path) -> None:
    number = person("张伟").id_number
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGJI_PII_")}
    url = f"sqlite://{tmp_path / 'before.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-c", MIGRATE_A_DATABASE_FROM_BEFORE, url, number],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    after = json.loads(done.stdout)
    [row] = after["member"]
    assert "id_number" not in row and "phone" not in row
    development = pii.Keyring.from_settings(Settings(development=True))
    assert development.open(row["id_number_sealed"], pii.ID_NUMBER) == number
    assert development.open(row["phone_sealed"], pii.PHONE) == "13893100001"
    assert row["id_number_index"] == development.blind_index(number, pii.ID_NUMBER)
    assert after["linked"] == [{"member_id": "10000000-0000-0000-0000-000000000000"}]
    assert "idx_member_insured_915073" in {i["name"] for i in after["indexes"]}


def test_without_keys_a_production_server_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gongji import cli
    from gongji.app import create_app

    production = {
        "GONGJI_WECHAT_CLIENT": "real",
        "WECHAT_APP_ID": "wx-app",
        "WECHAT_APP_SECRET": "wx-secret",
        "GONGJI_FACE_PROVIDER": "tencent",
        "TENCENTCLOUD_SECRET_ID": "AKIDtest",
        "TENCENTCLOUD_SECRET_KEY": "secret",
        "GONGJI_TENCENT_FACEID_RULE_ID": "1",
    }
    for name, value in production.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GONGJI_PII_KEYS", raising=False)
    monkeypatch.delenv("GONGJI_PII_INDEX_KEY", raising=False)
    monkeypatch.delenv("GONGJI_ENV", raising=False)
    assert cli.main(["serve", "--port", "8133"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "GONGJI_PII_KEYS and GONGJI_PII_INDEX_KEY are required" in err
    with pytest.raises(ConfigurationError):
        create_app(Settings.from_env())


def test_rotate_keys_as_an_operator_runs_it(tmp_path: Path) -> None:
    old, new = (base64.b64encode(k * 32).decode() for k in (b"o", b"n"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{tmp_path / 'rotate.sqlite3'}",
        "GONGJI_PII_INDEX_KEY": base64.b64encode(b"i" * 32).decode(),
    }

    def gongji(keys: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gongji.cli", *args],
            env={**env, "GONGJI_PII_KEYS": keys},
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert gongji(f"old:{old}", "migrate").returncode == 0
    assert gongji(f"old:{old}", "demo").returncode == 0
    lost = gongji(f"new:{new}", "rotate-keys")
    assert lost.returncode == 1
    assert lost.stderr.count("\n") == 1
    assert "sealed under key 'old', not in GONGJI_PII_KEYS" in lost.stderr
    done = gongji(f"new:{new},old:{old}", "rotate-keys")
    assert done.returncode == 0, done.stderr
    assert f"{len(PEOPLE)} member(s) checked, {len(PEOPLE)} re-sealed under key new" in done.stdout
    again = gongji(f"new:{new}", "rotate-keys")  # the old key is no longer needed
    assert again.returncode == 0, again.stderr
    assert f"{len(PEOPLE)} member(s) checked, 0 re-sealed" in again.stdout
