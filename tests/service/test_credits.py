"""个人账户划入 (R30): the region's credit file, all or nothing, once per source reference."""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from gongji.credits import rules
from gongji.credits.models import Credit
from gongji.credits.service import CreditFileRejected, import_credits
from gongji.ledger.models import Account, AccountKind, LedgerTransaction
from gongji.ledger.service import reconcile
from gongji.members import imports, registry
from gongji.members.models import Member, id_number_is
from gongji.members.rules import InsuranceStatus
from gongji.regions.policy import PolicyBook
from gongji.wallets import service as wallets
from tests.conftest import START, person

pytestmark = pytest.mark.usefixtures("demo_data")
HEADER = "id_number,period,amount,source_reference,kind\n"
ZHANG, LINA = person("张伟").id_number, person("李娜").id_number


async def balances(name: str) -> wallets.Balances:
    member = await Member.get(**id_number_is(person(name).id_number))
    return await wallets.balances(member.id)


async def load(text: str) -> tuple[int, int, int]:
    lines, errors = rules.parse(text)
    assert errors == []
    done = await import_credits(lines, now=START)
    return done.credited, done.already, done.amount


MARCH = HEADER + f"{ZHANG},2026-03,350.00,LZ-202603-0001,\n{LINA},2026-03,180.50,LZ-202603-0002,\n"


async def test_credits_land_in_personal_accounts_from_the_region_fund() -> None:
    before = await balances("张伟")
    assert await load(MARCH) == (2, 0, 53_050)
    after = await balances("张伟")
    assert (after.current - before.current, after.carryover) == (35_000, before.carryover)
    fund = await Account.get(kind=AccountKind.CONTRIBUTIONS, owner="region:620100")
    assert fund.balance == -53_050
    report = await reconcile()
    assert report.clean, report.problems


async def test_the_same_file_twice_credits_once() -> None:
    await load(MARCH)
    transactions = await LedgerTransaction.filter(kind="credit").count()
    assert await load(MARCH) == (0, 2, 0)
    assert await LedgerTransaction.filter(kind="credit").count() == transactions
    assert (await balances("李娜")).current == 60_000 + 18_050
    assert await Credit.all().count() == 2


async def test_opening_balances_load_the_same_way_r12() -> None:
    before = await balances("李娜")
    await load(
        HEADER + f"{LINA},2026-01,1000,LZ-OPEN-1,opening_carryover\n"
        f"{LINA},2026-01,200,LZ-OPEN-2,opening_current\n"
    )
    after = await balances("李娜")
    assert (after.carryover - before.carryover, after.current - before.current) == (
        100_000,
        20_000,
    )


async def test_bad_lines_write_nothing_and_say_which() -> None:
    await load(MARCH)
    stranger = "62010219900101" + "001"
    stranger += ric.calc_check_digit(stranger + "0")
    lines, errors = rules.parse(
        HEADER + f"{ZHANG},2026-04,10,LZ-202604-0001,\n"  # good, but the file is refused
        f"{stranger},2026-04,10,LZ-202604-0002,\n"  # not registered
        f"{person('王秀英').id_number},2026-04,10,LZ-202604-0003,\n"  # resident: no account
        f"{LINA},2026-03,999,LZ-202603-0002,\n"  # a reference reused with other content
    )
    assert errors == []
    before = await balances("张伟")
    with pytest.raises(CreditFileRejected) as rejected:
        await import_credits(lines, now=START)
    assert [(e.line, e.reason) for e in rejected.value.errors] == [
        (3, "620102********" + stranger[-4:] + ": not in the registry"),
        (4, "410102********0426: resident-insured: no personal account to credit (R1)"),
        (5, "source_reference LZ-202603-0002 was imported before with other content"),
    ]
    assert (await balances("张伟")) == before
    assert await Credit.all().count() == 2


async def test_no_credit_to_the_dead_r20() -> None:
    await Member.filter(**id_number_is(ZHANG)).update(status=InsuranceStatus.DECEASED)
    lines, _ = rules.parse(MARCH)
    with pytest.raises(CreditFileRejected) as rejected:
        await import_credits(lines, now=START)
    assert rejected.value.errors[0].reason.endswith("deceased: no credits after death (R20)")


async def test_ten_thousand_lines_in_batches() -> None:
    numbers = []
    for n in range(10_000):
        first17 = f"6201021980{(n // 28) % 12 + 1:02d}{n % 28 + 1:02d}{n // 336:03d}"
        numbers.append(first17 + ric.calc_check_digit(first17 + "0"))
    members = "name,id_number,insurance_type,insured_region,status,phone\n" + "".join(
        f"职工{n},{number},employee,620100,normal,\n" for n, number in enumerate(numbers)
    )
    rows, errors = registry.parse(members, PolicyBook.load())
    assert errors == []
    await imports.import_rows(rows, now=START)
    credits = HEADER + "".join(
        f"{number},2026-03,{n % 500 + 1}.25,BULK-{n:05d},\n" for n, number in enumerate(numbers)
    )
    credited, already, amount = await load(credits)
    assert (credited, already) == (10_000, 0)
    assert amount == sum((n % 500 + 1) * 100 + 25 for n in range(10_000))
    assert await LedgerTransaction.filter(kind="credit").count() == 10  # one per 1,000 lines
    report = await reconcile()
    assert report.clean, report.problems
    assert await load(credits) == (0, 10_000, 0)
