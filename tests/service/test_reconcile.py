"""gongji reconcile finds what is wrong: a tampered balance, an unbalanced transaction (R22)."""

from __future__ import annotations

import pytest

from gongji.ledger.models import Account, AccountKind, Entry
from gongji.ledger.service import reconcile
from gongji.wallets.models import Authorization
from gongji.wallets.service import quota_problems

pytestmark = pytest.mark.usefixtures("demo_data")


async def test_demo_ledger_is_clean() -> None:
    report = await reconcile()
    assert report.clean, report.problems
    assert report.debits == report.credits > 0
    assert report.entries >= 2 * report.transactions


async def test_a_tampered_balance_is_reported() -> None:
    wallet = await Account.filter(kind=AccountKind.WALLET).first()
    assert wallet is not None
    await Account.filter(id=wallet.id).update(balance=wallet.balance + 1)
    report = await reconcile()
    assert not report.clean
    assert any(f"account {wallet.id} wallet" in p for p in report.problems)


async def test_an_unbalanced_transaction_is_reported() -> None:
    entry = await Entry.all().order_by("id").first()
    assert entry is not None
    await Entry.filter(id=entry.id).update(amount=entry.amount + 5)
    await Account.filter(id=entry.account_id).update(  # type: ignore[attr-defined]
        balance=(await Account.get(id=entry.account_id)).balance + 5  # type: ignore[attr-defined]
    )
    report = await reconcile()
    assert any("is off by 5" in p for p in report.problems)
    assert any("debits" in p for p in report.problems)


async def test_a_quota_out_of_step_with_its_account_is_reported() -> None:
    authorization = await Authorization.first()
    assert authorization is not None
    await Authorization.filter(id=authorization.id).update(spent=1)
    assert len(await quota_problems()) == 1
