"""R20's life events: a move to another city, a death and its heirs. Nothing is lost."""

from __future__ import annotations

from fractions import Fraction

import pytest
from stdnum.cn import ric

from gongji.audit.models import AuditEntry
from gongji.errors import DomainError, ErrorCode
from gongji.families.models import FamilyGroup, Membership
from gongji.families.rules import MembershipRole, Relationship
from gongji.ledger.models import Account, AccountKind, Entry, LedgerTransaction
from gongji.ledger.service import reconcile
from gongji.lifecycle import service as lifecycle
from gongji.lifecycle.models import HeirShare, HeirShareStatus
from gongji.lifecycle.rules import Heir
from gongji.members import imports, registry
from gongji.members.models import Member, id_number_is
from gongji.members.rules import InsuranceStatus
from gongji.regions.policy import PolicyBook
from gongji.wallets import service as wallets
from gongji.wallets.models import Authorization, AuthorizationStatus
from tests.conftest import START, person, policies_where

pytestmark = pytest.mark.usefixtures("demo_data")
ZHANG = person("张伟").id_number
HEADER = "name,id_number,insurance_type,insured_region,status,phone,outpatient_pool_balance\n"
CORE_IN_HENAN = policies_where("410000", relationship_scope="core")


def number(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


async def member(name: str) -> Member:
    return await Member.get(**id_number_is(person(name).id_number))


async def import_lines(*lines: str, policies: PolicyBook | None = None) -> None:
    rows, errors = registry.parse(
        HEADER + "".join(f"{line}\n" for line in lines), PolicyBook.load()
    )
    assert errors == []
    await imports.import_rows(rows, now=START, policies=policies)


async def authorize_mother(quota: int = 50_000) -> Authorization:
    return await wallets.authorize(
        authorizer_id=(await member("张伟")).id,
        relative_id=(await member("王秀英")).id,
        quota=quota,
        policies=PolicyBook.load(),
        now=START,
    )


async def add_sister() -> Member:
    """张丽, his sister (a near relative, R3), already in 张伟的家."""
    await import_lines(f"张丽,{number('62010219790202012')},employee,620100,normal,,")
    sister = await Member.get(name="张丽")
    group = await FamilyGroup.get(name="张伟的家")
    await Membership.create(
        group=group,
        member=sister,
        role=MembershipRole.RELATIVE,
        relationship=Relationship.SIBLING,
        joined_at=START,
    )
    return sister


async def assert_clean() -> None:
    report = await reconcile()
    assert report.clean, report.problems
    assert await wallets.quota_problems() == []


async def test_a_move_ends_sharing_keeps_allowed_bindings_and_moves_the_money() -> None:
    authorization = await authorize_mother()
    sister = await add_sister()
    zhang = await member("张伟")
    before = await wallets.balances(zhang.id)
    event = await lifecycle.record_move(
        id_number=ZHANG, region="410100", policies=CORE_IN_HENAN, now=START, by="cli"
    )
    assert (event.authorizations_ended, event.memberships_ended) == (1, 1)
    ended = await Authorization.get(id=authorization.id)
    assert ended.status is AuthorizationStatus.ENDED
    after = await wallets.balances(zhang.id)
    assert after == wallets.Balances(
        before.carryover, before.current, before.wallet + before.reserved, 0
    )
    # Henan shares with core relatives only: the sister leaves, the mother stays
    mine = dict(await Membership.filter(group__name="张伟的家").values_list("member_id", "active"))
    assert mine == {zhang.id: True, (await member("王秀英")).id: True, sister.id: False}
    # one ledger transaction: out of Lanzhou's fund, into Zhengzhou's
    move = await LedgerTransaction.get(kind="region_move", reference=str(zhang.id))
    assert await Entry.filter(transaction=move).count() == 12  # 3 accounts × out and in
    total = before.carryover + before.current + before.wallet + before.reserved
    funds = {a.owner: a.balance for a in await Account.filter(kind=AccountKind.CONTRIBUTIONS)}
    assert (funds["region:620100"], funds["region:410100"]) == (total, -total)
    assert await AuditEntry.exists(action="member.move", subject_id=str(zhang.id))
    await assert_clean()


async def test_a_registry_move_of_the_relative_ends_what_she_receives() -> None:
    authorization = await authorize_mother()
    mother = person("王秀英")
    await import_lines(f"王秀英,{mother.id_number},resident,650100,normal,,")
    assert (await Authorization.get(id=authorization.id)).status is AuthorizationStatus.ENDED
    kept = await Membership.get(group__name="张伟的家", member__name="王秀英")
    assert kept.active  # a parent is a core relative everywhere
    await assert_clean()


async def test_a_move_within_the_city_changes_nothing() -> None:
    authorization = await authorize_mother()
    event = await lifecycle.record_move(
        id_number=ZHANG, region="620102", policies=PolicyBook.load(), now=START, by="cli"
    )
    assert "within the city" in event.summary()
    assert (await Authorization.get(id=authorization.id)).status is AuthorizationStatus.ACTIVE


async def test_death_holds_the_balance_in_the_estate_and_nothing_spends_it() -> None:
    authorization = await authorize_mother()
    zhang = await member("张伟")
    before = await wallets.balances(zhang.id)
    total = before.carryover + before.current + before.wallet + before.reserved
    await import_lines(f"张伟,{ZHANG},employee,620100,deceased,,")
    assert (await Authorization.get(id=authorization.id)).status is AuthorizationStatus.ENDED
    group = await FamilyGroup.get(name="张伟的家")
    assert not group.active  # he created it: dissolved
    assert not await Membership.exists(group=group, active=True)
    assert await wallets.balances(zhang.id) == wallets.Balances(0, 0, 0, 0)
    estate = await Account.get(kind=AccountKind.ESTATE, owner=f"member:{zhang.id}")
    assert estate.balance == total
    for spend in (
        wallets.transfer_to_wallet(
            member_id=zhang.id,
            amount=100,
            idempotency_key="after-death-1",
            policies=PolicyBook.load(),
            now=START,
        ),
        authorize_mother(),
    ):
        with pytest.raises(DomainError) as refused:
            await spend
        assert refused.value.code is ErrorCode.MEMBER_DECEASED
    await assert_clean()


async def test_heirs_inherit_now_or_once_registered() -> None:
    zhang = await member("张伟")
    before = await wallets.balances(zhang.id)
    estate = before.carryover + before.current + before.wallet
    await lifecycle.record_death(id_number=ZHANG, now=START, by="cli")
    lina = await member("李娜")
    lina_before = await wallets.balances(lina.id)
    son = person("张小明").id_number  # resident: no personal account yet (R1)
    later = number("62010220000101021")  # not registered yet
    heirs = [
        Heir("李娜", person("李娜").id_number, Fraction(1, 2)),
        Heir("张小明", son, Fraction(1, 4)),
        Heir("张晓晓", later, Fraction(1, 4)),
    ]
    done = await lifecycle.record_inheritance(id_number=ZHANG, heirs=heirs, now=START, by="cli")
    assert [(s.heir_name, s.amount, s.status) for s in done.shares] == [
        ("李娜", estate // 2, HeirShareStatus.PAID),
        ("张小明", estate // 4, HeirShareStatus.HELD),
        ("张晓晓", estate // 4, HeirShareStatus.HELD),
    ]
    assert (await wallets.balances(lina.id)).carryover == lina_before.carryover + estate // 2
    again = await lifecycle.record_inheritance(id_number=ZHANG, heirs=heirs, now=START, by="cli")
    assert again.replayed and (await wallets.balances(lina.id)).carryover == (
        lina_before.carryover + estate // 2
    )
    with pytest.raises(DomainError) as other:
        await lifecycle.record_inheritance(
            id_number=ZHANG,
            heirs=[Heir("李娜", person("李娜").id_number, Fraction(1))],
            now=START,
            by="cli",
        )
    assert other.value.code is ErrorCode.INHERITANCE_ALREADY_RECORDED
    # the registry brings 张晓晓 as an employee: her share is paid in the same import
    await import_lines(f"张晓晓,{later},employee,620100,normal,,")
    xiao = await Member.get(name="张晓晓")
    assert (await wallets.balances(xiao.id)).carryover == estate // 4
    paid = await HeirShare.get(heir_id=xiao.id)
    assert paid.status is HeirShareStatus.PAID
    held = await Account.get(kind=AccountKind.ESTATE, owner=f"member:{zhang.id}")
    assert held.balance == estate // 4  # 张小明's, until he has a personal account
    assert await AuditEntry.filter(action="inheritance.pay").count() == 2
    await assert_clean()


async def test_only_the_dead_leave_an_estate() -> None:
    with pytest.raises(DomainError) as refused:
        await lifecycle.record_inheritance(
            id_number=ZHANG,
            heirs=[Heir("李娜", person("李娜").id_number, Fraction(1))],
            now=START,
            by="cli",
        )
    assert refused.value.code is ErrorCode.INHERITANCE_NOT_DECEASED
    assert (await member("张伟")).status is InsuranceStatus.NORMAL


async def test_the_registry_supplies_the_outpatient_pool_balance_r28() -> None:
    assert (await member("李娜")).outpatient_pool_balance is None
    await import_lines(f"李娜,{person('李娜').id_number},employee,620100,normal,,1234.50")
    lina = await member("李娜")
    assert (lina.outpatient_pool_balance, lina.outpatient_pool_as_of) == (123_450, START)
    await import_lines(f"李娜,{person('李娜').id_number},employee,620100,normal,,")
    assert (await member("李娜")).outpatient_pool_balance is None
