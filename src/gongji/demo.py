"""The documented demo data set (README "Demo data"). Safe to load twice; `reset` starts over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from stdnum.cn import ric
from tortoise import Tortoise
from tortoise.fields.relational import RelationalField
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.families.models import FamilyGroup, Invitation, Membership
from gongji.families.rules import InvitationStatus, MembershipRole, Relationship
from gongji.identity import credentials
from gongji.identity.models import Agent, WechatUser
from gongji.identity.wechat import demo_openid
from gongji.institutions.models import ApiKey, Institution, InstitutionKind
from gongji.ledger import service as ledger
from gongji.ledger.models import AccountKind, LedgerTransaction
from gongji.members.models import Member, id_number_in, id_number_is, personal_data
from gongji.members.rules import InsuranceStatus, InsuranceType
from gongji.records import service as records
from gongji.regions.policy import PolicyBook
from gongji.transactions import unit_of_work
from gongji.wallets import service as wallets
from gongji.wallets.models import Authorization, Wallet, WalletTransfer


def id_number(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


@dataclass(frozen=True)
class DemoPerson:
    login_code: str | None  # None: not linked, to try identity verification
    name: str
    id_number: str
    insurance_type: InsuranceType
    insured_region: str
    phone: str
    linked: bool = True


E, R = InsuranceType.EMPLOYEE, InsuranceType.RESIDENT
PEOPLE = [
    # Lanzhou family: Zhang Wei, employee with a healthy balance. Born 1976 in Chengguan
    # (620102, a code from 1983): python-stdnum's validate() would wrongly reject him.
    DemoPerson("demo-zhangwei", "张伟", id_number("62010219760315011"), E, "620100", "13893100001"),
    DemoPerson("demo-lina", "李娜", id_number("62010319780822022"), E, "620100", "13893100002"),
    DemoPerson(
        "demo-wangxiuying", "王秀英", id_number("41010219500108042"), R, "410100", "13703710003"
    ),
    DemoPerson("demo-zhangxiaoming", "张小明", id_number("62010220140601013"), R, "620100", ""),
    DemoPerson(
        "demo-zhangxiaoyu", "张晓雨", id_number("62010220090418024"), R, "620100", "13893100005"
    ),
    DemoPerson(
        "demo-lijianguo", "李建国", id_number("62010319510913031"), R, "620100", "13893100006"
    ),
    # Urumqi family, already in a group
    DemoPerson(
        "demo-aili", "艾力·买买提", id_number("65010219800520015"), E, "650100", "13999100001"
    ),
    DemoPerson("demo-guli", "古丽", id_number("65010219830711026"), E, "650100", "13999100002"),
    DemoPerson("demo-ayiguli", "阿依古丽", id_number("65010220120905028"), R, "650100", ""),
    # Shenzhen: not linked yet, to try startFaceVerification + verifyIdentity
    DemoPerson(
        "demo-zhaomin",
        "赵敏",
        id_number("44030519900214046"),
        E,
        "440300",
        "13800138000",
        linked=False,
    ),
]

INSTITUTIONS = [
    ("H62010200001", "兰州市第一人民医院", "620102"),
    ("P62010200003", "兰州惠仁堂大药房（城关店）", "620102"),
    ("H41010500002", "郑州市中心医院", "410105"),
    ("P41010500007", "郑州市民大药房", "410105"),
    ("H65010200001", "乌鲁木齐市第一人民医院", "650102"),
    ("H44030400001", "深圳市人民医院", "440304"),
    ("P31010100003", "上海华氏大药房（黄浦店）", "310101"),
    ("H50015501017", "重庆市梁平区人民医院", "500155"),
]

AGENT_USERNAME, AGENT_PASSWORD = "demo-agent", "gongji-demo"

# Personal account (carry-over, current year) and what is already in the wallet, in fen.
MONEY = {
    "张伟": (800_000, 150_000, 300_000),
    "李娜": (200_000, 60_000, 80_000),
    "艾力·买买提": (500_000, 100_000, 100_000),
    "古丽": (120_000, 40_000, 0),
    "赵敏": (300_000, 80_000, 0),
}
SEED_DAY = date(2026, 1, 5)  # demo transfers are dated in the past: today's limits stay free


def demo_api_key(code: str) -> str:
    """Demo only: a predictable key per institution, listed in the README."""
    return f"{credentials.API_KEY_PREFIX}demo_{code}"


async def load(now: datetime, policies: PolicyBook) -> dict[str, int]:
    async for attempt in unit_of_work():
        async with attempt:
            members = {p.name: await _member(p) for p in PEOPLE}
            for person in PEOPLE:
                if person.login_code:
                    await _wechat(person.login_code, person.linked, members[person.name], now)
            for code, name, region in INSTITUTIONS:
                await _institution(code, name, region)
            if not await Agent.exists(username=AGENT_USERNAME):
                await Agent.create(
                    username=AGENT_USERNAME,
                    name="示范经办员",
                    office_region="620100",
                    password_hash=credentials.hash_password(AGENT_PASSWORD),
                )
            await _urumqi_family(members, now, policies)
            await _zhang_family(members, now, policies)
            for name, (carryover, current, wallet) in MONEY.items():
                await _money(members[name], carryover, current, wallet, now)
            await _urumqi_authorization(members, now, policies)
    return {"members": len(PEOPLE), "institutions": len(INSTITUTIONS)}


async def reset(now: datetime, policies: PolicyBook) -> dict[str, int]:
    """Delete everything and load the demo again, only if the database holds nothing else.

    One transaction: refused or failed, nothing is deleted.
    """
    async with in_transaction():  # the demo only: nothing races it
        found = await not_demo_data()
        if found:
            zh = "，".join(f"{what[0]} {n}" for what, n in found)
            en = ", ".join(f"{what[1]}: {n}" for what, n in found)
            raise DomainError(ErrorCode.DEMO_RESET_REFUSED, params={"found": bilingual(zh, en)})
        for model in _children_first(list(Tortoise.apps.get_models_iterable())):
            await model.all().delete()
        return await load(now, policies)


async def not_demo_data() -> list[tuple[tuple[str, str], int]]:
    """What is in the database but not in the demo: people, institutions, their keys, agents.

    What the walkthrough itself creates (a demo hospital's new API key, logins with `mock-…`
    codes, bills, payments) is the demo's: a reset puts it all back."""
    codes = [c for c, _, _ in INSTITUTIONS]
    counts: dict[tuple[str, str], QuerySet[Any]] = {
        ("参保人", "insured people"): Member.exclude(**id_number_in([p.id_number for p in PEOPLE])),
        ("定点机构", "institutions"): Institution.exclude(code__in=codes),
        ("机构密钥", "API keys"): ApiKey.exclude(institution__code__in=codes),
        ("经办人员", "agents"): Agent.exclude(username=AGENT_USERNAME),
    }
    found = [(what, await query.count()) for what, query in counts.items()]
    return [(what, n) for what, n in found if n]


def _children_first(models: list[type[Model]]) -> list[type[Model]]:
    """Delete order: a row goes before the rows it refers to (no cycles among our models)."""

    def parents(model: type[Model]) -> set[type[Model]]:
        forward = model._meta.fk_fields | model._meta.o2o_fields
        fields = [model._meta.fields_map[name] for name in forward]
        return {f.related_model for f in fields if isinstance(f, RelationalField)} - {model}

    refers = {model: parents(model) for model in models}
    ordered: list[type[Model]] = []
    while left := [m for m in models if m not in ordered]:
        ready = [m for m in left if not any(m in refers[other] for other in left)]
        if not ready:
            raise RuntimeError(f"foreign keys form a cycle among {left}")
        ordered += ready
    return ordered


async def _member(person: DemoPerson) -> Member:
    member, _ = await Member.update_or_create(
        **id_number_is(person.id_number),
        defaults={
            "name": person.name,
            "insurance_type": person.insurance_type,
            "insured_region": person.insured_region,
            "status": InsuranceStatus.NORMAL,
            **personal_data(id_number=person.id_number, phone=person.phone),
        },
    )
    return member


async def _wechat(login_code: str, linked: bool, member: Member, now: datetime) -> None:
    openid = demo_openid(login_code.removeprefix("demo-"))
    user = await WechatUser.get_or_none(openid=openid)
    if user is None:
        user = await WechatUser.create(openid=openid, created_at=now)
    if linked and user.member_id is None:
        user.member, user.linked_at = member, now
        await user.save()


async def _institution(code: str, name: str, region: str) -> None:
    kind = InstitutionKind.HOSPITAL if code[0] == "H" else InstitutionKind.PHARMACY
    institution, _ = await Institution.update_or_create(
        code=code, defaults={"name": name, "kind": kind, "region": region}
    )
    key_hash = credentials.digest(demo_api_key(code))
    if not await ApiKey.exists(key_hash=key_hash):
        await ApiKey.create(
            institution=institution,
            prefix=credentials.API_KEY_PREFIX,
            key_hash=key_hash,
            label="demo",
        )


async def _urumqi_family(members: dict[str, Member], now: datetime, policies: PolicyBook) -> None:
    await _family(
        members["艾力·买买提"],
        "艾力的家",
        [(members["古丽"], Relationship.SPOUSE), (members["阿依古丽"], Relationship.CHILD)],
        now,
        policies,
    )


async def _family(
    creator: Member,
    name: str,
    relatives: list[tuple[Member, Relationship]],
    now: datetime,
    policies: PolicyBook,
) -> None:
    if await FamilyGroup.exists(creator=creator, name=name):
        return
    group = await FamilyGroup.create(
        name=name,
        creator=creator,
        commitment_version=policies.commitment_letter_version,
        commitment_accepted_at=now,
        created_at=now,
    )
    await Membership.create(group=group, member=creator, role=MembershipRole.CREATOR, joined_at=now)
    for relative, relationship in relatives:
        await Invitation.create(
            group=group,
            inviter=creator,
            invitee=relative,
            relationship=relationship,
            status=InvitationStatus.ACCEPTED,
            created_at=now,
            expires_at=now,
            decided_at=now,
        )
        await Membership.create(
            group=group,
            member=relative,
            role=MembershipRole.RELATIVE,
            relationship=relationship,
            joined_at=now,
        )


async def _zhang_family(members: dict[str, Member], now: datetime, policies: PolicyBook) -> None:
    """张伟的家 with his mother, so the wallet walkthrough starts at once."""
    await _family(
        members["张伟"], "张伟的家", [(members["王秀英"], Relationship.PARENT)], now, policies
    )


async def _money(member: Member, carryover: int, current: int, wallet: int, now: datetime) -> None:
    if await LedgerTransaction.exists(kind="contribution", reference=str(member.id)):
        return
    await wallets.credit_personal_account(
        member_id=member.id, carryover=carryover, current=current, now=now, memo="demo"
    )
    if not wallet:
        return
    await Wallet.create(member=member, opened_at=now)
    transfer = await WalletTransfer.create(
        member=member,
        amount=wallet,
        from_carryover=wallet,
        from_current=0,
        local_date=SEED_DAY,
        created_at=now,
    )
    await records.record_transfer(transfer, member, now)
    who = wallets.member_owner(member.id)
    await ledger.post(
        kind="wallet_transfer",
        reference=transfer.id,
        movements=[
            (await ledger.account(AccountKind.PERSONAL_CARRYOVER, who, now=now), -wallet),
            (await wallets.wallet_account(member.id, now), wallet),
        ],
        now=now,
        memo="demo",
    )


async def _urumqi_authorization(
    members: dict[str, Member], now: datetime, policies: PolicyBook
) -> None:
    aili, child = members["艾力·买买提"], members["阿依古丽"]
    if await Authorization.exists(authorizer=aili, relative=child):
        return
    await wallets.authorize(
        authorizer_id=aili.id, relative_id=child.id, quota=20_000, policies=policies, now=now
    )
