"""Fill a database with a realistic family population and N usage records (default 1,000,000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongji_bench \\
        .venv/bin/python -m bench.generate --records 1000000

The database must be migrated (`gongji migrate`). Bulk history goes straight into the read
model (usage_record) by COPY on PostgreSQL; the families used by the pay benchmark are set up
through the real services (ledger, wallet, authorization), so `gongji reconcile` stays clean.
Bench users log in with codes `demo-bench-<n>` (patients for `pay`: `demo-payer-<n>`): like the
demo people, they are WeChat users linked in advance (a `mock-…` code is always a stranger).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.progress import Progress
from stdnum.cn import ric
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from gongji import db
from gongji.families.rules import MembershipRole, Relationship
from gongji.identity.wechat import demo_openid
from gongji.keys import key_at, new_key
from gongji.ledger import service as ledger
from gongji.ledger.models import AccountKind
from gongji.members.models import personal_data
from gongji.members.rules import InsuranceStatus, InsuranceType
from gongji.regions.policy import PolicyBook
from gongji.settings import Settings
from gongji.wallets import service as wallets

CITIES = [
    "620100",
    "650100",
    "440300",
    "210900",
    "150800",
    "450900",
    "140200",
    "410100",
    "110100",
    "310100",
    "510100",
    "420100",
    "330100",
    "320100",
    "370100",
    "610100",
]
VISITS = [("11", 50), ("41", 30), ("14", 12), ("21", 8)]
KINDS = [("payment", 88), ("refund", 3), ("premium", 3), ("wallet_transfer", 6)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华平刚桂英"
YEARS = [2022, 2023, 2024, 2025, 2026]
NOW = datetime(2026, 11, 1, 2, tzinfo=UTC)


@dataclass
class Person:
    id: uuid.UUID
    region: str


def id_number(rng: random.Random, city: str, serial: int) -> str:
    born = datetime(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
    first17 = f"{city[:4]}{rng.randrange(1, 30):02d}{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


async def insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """COPY on PostgreSQL, multi-row INSERT elsewhere (SQLite for the smoke test)."""
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "postgres":
        async with connection.acquire_connection() as raw:  # type: ignore[attr-defined]
            await raw.copy_records_to_table(table, records=rows, columns=columns)
        return
    marks = ", ".join("?" if connection.capabilities.dialect == "sqlite" else "%s" for _ in columns)
    quote = "`" if connection.capabilities.dialect == "mysql" else '"'
    names = ", ".join(f"{quote}{c}{quote}" for c in columns)
    sql = f"INSERT INTO {quote}{table}{quote} ({names}) VALUES ({marks})"
    await connection.execute_many(sql, [[_plain(v) for v in row] for row in rows])


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


async def population(
    rng: random.Random, families: int
) -> tuple[list[list[Person]], list[tuple[uuid.UUID, str]]]:
    members, groups, memberships, wechat = [], [], [], []
    family_people: list[list[Person]] = []
    serial = 0
    for f in range(families):
        city = rng.choice(CITIES)
        people = []
        for role in range(4):  # creator (employee), spouse, child, parent
            serial += 1
            person = Person(uuid.uuid4(), city)
            people.append(person)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            insurance = InsuranceType.EMPLOYEE.value if role < 2 else InsuranceType.RESIDENT.value
            sealed = personal_data(id_number=id_number(rng, city, serial), phone=f"13{serial:09d}")
            members.append(
                (
                    person.id,
                    name,
                    sealed["id_number_sealed"],
                    sealed["id_number_index"],
                    insurance,
                    city,
                    InsuranceStatus.NORMAL.value,
                    sealed["phone_sealed"],
                    NOW,
                    NOW,
                )
            )
        group = uuid.uuid4()
        groups.append((group, f"家庭{f}", people[0].id, "2024.1", NOW, True, NOW))
        relations = [None, Relationship.SPOUSE, Relationship.CHILD, Relationship.PARENT]
        for person, relation in zip(people, relations, strict=True):
            role = MembershipRole.CREATOR if relation is None else MembershipRole.RELATIVE
            memberships.append(
                (
                    uuid.uuid4(),
                    group,
                    person.id,
                    role.value,
                    relation.value if relation else None,
                    True,
                    NOW,
                )
            )
        if f < 1000:  # bench users who can log in: the creator of the first 1,000 families
            wechat.append((uuid.uuid4(), demo_openid(f"bench-{f}"), people[0].id, NOW, NOW))
        family_people.append(people)
    await insert(
        "member",
        [
            "id",
            "name",
            "id_number_sealed",
            "id_number_index",
            "insurance_type",
            "insured_region",
            "status",
            "phone_sealed",
            "created_at",
            "updated_at",
        ],
        members,
    )
    await insert(
        "family_group",
        [
            "id",
            "name",
            "creator_id",
            "commitment_version",
            "commitment_accepted_at",
            "active",
            "created_at",
        ],
        groups,
    )
    await insert(
        "membership",
        ["id", "group_id", "member_id", "role", "relationship", "active", "joined_at"],
        memberships,
    )
    await insert("wechat_user", ["id", "openid", "member_id", "created_at", "linked_at"], wechat)
    institutions = []
    for n in range(400):
        city = rng.choice(CITIES)
        district = city[:4] + f"{rng.randrange(1, 10):02d}"
        kind = "hospital" if n % 3 else "pharmacy"
        code = ("H" if kind == "hospital" else "P") + district + f"{n:05d}"
        institutions.append((uuid.uuid4(), code, f"定点机构{n}", kind, district, True))
    await insert("institution", ["id", "code", "name", "kind", "region", "active"], institutions)
    return family_people, [(i[0], i[4]) for i in institutions]


async def history(
    rng: random.Random,
    families: list[list[Person]],
    institutions: list[tuple[uuid.UUID, str]],
    records: int,
) -> None:
    """`records` usage records; a tenth of the families carry half of them (heavy users)."""
    by_province: dict[str, list[tuple[uuid.UUID, str]]] = {}
    for inst in institutions:
        by_province.setdefault(inst[1][:2], []).append(inst)
    heavy = families[: max(1, len(families) // 10)]
    columns = [
        "id",
        "occurred_at",
        "kind",
        "visit_type",
        "institution_id",
        "patient_id",
        "authorizer_id",
        "authorization_id",
        "patient_region",
        "authorizer_region",
        "total",
        "fund",
        "family",
        "cash",
        "amount",
        "reference",
    ]
    chunk: list[tuple[Any, ...]] = []
    with Progress() as progress:
        task = progress.add_task("usage records", total=records)
        for n in range(records):
            people = rng.choice(heavy) if n % 2 else rng.choice(families)
            authorizer, patient = people[0], rng.choice(people[1:])
            year = rng.choice(YEARS)
            end = NOW if year == 2026 else datetime(year + 1, 1, 1, tzinfo=UTC)
            start = datetime(year, 1, 1, tzinfo=UTC)
            at = start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))
            kind = weighted(rng, KINDS)
            local = by_province.get(authorizer.region[:2]) or institutions
            inst = rng.choice(local)
            total = rng.randrange(1_000, 200_000)
            fund = total * rng.randrange(30, 80) // 100
            family = (total - fund) * rng.randrange(20, 101) // 100
            if kind == "wallet_transfer":
                row = (
                    at,
                    kind,
                    None,
                    None,
                    None,
                    authorizer.id,
                    None,
                    None,
                    authorizer.region,
                    0,
                    0,
                    0,
                    0,
                    rng.randrange(10_000, 200_000),
                    f"bench-{n}",
                )
            elif kind == "premium":
                row = (
                    at,
                    kind,
                    None,
                    None,
                    patient.id,
                    authorizer.id,
                    None,
                    patient.region,
                    authorizer.region,
                    0,
                    0,
                    38_000,
                    0,
                    38_000,
                    f"bench-{n}",
                )
            else:
                sign = -1 if kind == "refund" else 1
                row = (
                    at,
                    kind,
                    weighted(rng, VISITS),
                    inst[0],
                    patient.id,
                    authorizer.id,
                    uuid.uuid5(uuid.NAMESPACE_OID, f"{authorizer.id}{patient.id}"),
                    patient.region,
                    authorizer.region,
                    total if sign > 0 else 0,
                    fund if sign > 0 else 0,
                    sign * family,
                    (total - fund - family) if sign > 0 else 0,
                    sign * family,
                    f"bench-{n}",
                )
            chunk.append((key_at(at, n), *row))  # a UUIDv7 of the record's own time
            if len(chunk) == 20_000:
                await insert("usage_record", columns, chunk)
                progress.advance(task, len(chunk))
                chunk = []
        if chunk:
            await insert("usage_record", columns, chunk)
            progress.advance(task, len(chunk))


async def payers(rng: random.Random, count: int, bills_each: int, policies: PolicyBook) -> None:
    """Lanzhou families (Gansu shares nationwide) with a large quota and open bills to pay."""
    from gongji.families.models import FamilyGroup, Membership
    from gongji.identity.models import WechatUser
    from gongji.institutions.models import Institution
    from gongji.members.models import Member
    from gongji.payments.service import institution_owner
    from gongji.wallets.models import Wallet

    hospital = await Institution.create(
        code="H62010299999", name="兰州压测医院", kind="hospital", region="620102"
    )
    await ledger.account(AccountKind.INSTITUTION, institution_owner(hospital.id), now=NOW)
    bills, items = [], []
    for n in range(count):
        async with in_transaction():
            authorizer = await Member.create(
                name=f"授权人{n}",
                **personal_data(id_number=id_number(rng, "620100", 500 + n), phone=""),
                insurance_type=InsuranceType.EMPLOYEE,
                insured_region="620100",
            )
            patient = await Member.create(
                name=f"就诊人{n}",
                **personal_data(id_number=id_number(rng, "620100", 700 + n), phone=""),
                insurance_type=InsuranceType.RESIDENT,
                insured_region="620100",
            )
            group = await FamilyGroup.create(
                name=f"压测{n}",
                creator=authorizer,
                commitment_version="2024.1",
                commitment_accepted_at=NOW,
                created_at=NOW,
            )
            await Membership.create(
                group=group, member=authorizer, role=MembershipRole.CREATOR, joined_at=NOW
            )
            await Membership.create(
                group=group,
                member=patient,
                role=MembershipRole.RELATIVE,
                relationship=Relationship.CHILD,
                joined_at=NOW,
            )
            await WechatUser.create(
                openid=demo_openid(f"payer-{n}"), member=patient, created_at=NOW, linked_at=NOW
            )
            await wallets.credit_personal_account(
                member_id=authorizer.id, carryover=10**11, current=0, now=NOW, memo="bench"
            )
            await Wallet.create(member=authorizer, opened_at=NOW)
            who = wallets.member_owner(authorizer.id)
            await ledger.post(
                kind="wallet_transfer",
                reference=f"bench-{n}",
                now=NOW,
                movements=[
                    (await ledger.account(AccountKind.PERSONAL_CARRYOVER, who, now=NOW), -(10**11)),
                    (await wallets.wallet_account(authorizer.id, now=NOW), 10**11),
                ],
            )
            await wallets.authorize(
                authorizer_id=authorizer.id,
                relative_id=patient.id,
                quota=10**11,
                policies=policies,
                now=NOW,
            )
        for b in range(bills_each):
            bill = uuid.uuid4()
            amount = rng.randrange(1_000, 50_000)
            bills.append(
                (
                    bill,
                    hospital.id,
                    f"BENCH-{n}-{b}",
                    "bench",
                    patient.id,
                    "11",
                    amount,
                    0,
                    0,
                    "open",
                    NOW,
                )
            )
            items.append((new_key(), bill, 0, "药品", "drug", amount))
    await insert(
        "bill",
        [
            "id",
            "institution_id",
            "external_ref",
            "content_hash",
            "patient_id",
            "visit_type",
            "medfee_sumamt",
            "hifp_pay",
            "fulamt_ownpay_amt",
            "status",
            "created_at",
        ],
        bills,
    )
    await insert("bill_item", ["id", "bill_id", "position", "name", "category", "amount"], items)


async def generate(
    records: int, families: int, payer_count: int, bills_each: int, seed: int
) -> None:
    rng = random.Random(seed)
    people, institutions = await population(rng, families)
    await history(rng, people, institutions, records)
    await payers(rng, payer_count, bills_each, PolicyBook.load())
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "postgres":
        await connection.execute_script("ANALYZE")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--families", type=int, default=25_000)
    parser.add_argument("--payers", type=int, default=200)
    parser.add_argument("--bills-per-payer", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    settings = Settings.from_env()
    await db.connect(settings.database_url)
    try:
        await generate(args.records, args.families, args.payers, args.bills_per_payer, args.seed)
    finally:
        await db.disconnect()
    print(
        f"generated {args.records} usage records, {args.families} families, "
        f"{args.payers} payers with {args.bills_per_payer} open bills each"
    )


if __name__ == "__main__":
    asyncio.run(main())
