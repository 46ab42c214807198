"""authorize, pay and refund called directly, on the demo data (R11, R13–R18, R22).

张伟 (Lanzhou, employee, 3000.00 in his wallet) authorizes his mother 王秀英; a Henan
hospital bills her; she pays with his family money; the hospital refunds. The `reconciled`
fixture checks every balance against its entries after each test.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from gongji.clock import FixedClock
from gongji.errors import DomainError, ErrorCode
from gongji.institutions.models import Institution
from gongji.members.models import Member
from gongji.payments import service as payments
from gongji.payments.models import Bill, BillStatus, Payment
from gongji.payments.rules import BillFigures, ItemCategory, LineItem, VisitType
from gongji.regions.policy import PolicyBook
from gongji.wallets import service as wallets
from gongji.wallets.models import Authorization, AuthorizationStatus

pytestmark = pytest.mark.usefixtures("reconciled")

DRUG, FITNESS = ItemCategory.DRUG, ItemCategory.FITNESS


@dataclass
class Family:
    son: Member
    mother: Member
    hospital: Institution
    clock: FixedClock
    policies: PolicyBook

    async def grant(self, quota: int) -> Authorization:
        return await wallets.authorize(
            authorizer_id=self.son.id,
            relative_id=self.mother.id,
            quota=quota,
            policies=self.policies,
            now=self.clock.now(),
        )

    async def bill(self, ref: str, *lines: tuple[ItemCategory, int]) -> Bill:
        items = tuple(LineItem(f"item{n}", kind, amount) for n, (kind, amount) in enumerate(lines))
        return await payments.create_bill(
            institution_id=self.hospital.id,
            external_ref=ref,
            patient_name=self.mother.name,
            patient_id_number=self.mother.id_number,
            proxy_buyer=None,
            figures=BillFigures(VisitType.OUTPATIENT, items, sum(a for _, a in lines), 0, 0),
            now=self.clock.now(),
        )

    async def pay(
        self, bill: Bill, authorization: Authorization, key: str, *, by: Member | None = None
    ) -> tuple[Payment, bool]:
        return await payments.pay(
            member_id=(by or self.mother).id,
            bill_id=bill.id,
            authorization_id=authorization.id,
            idempotency_key=key,
            policies=self.policies,
            now=self.clock.now(),
        )

    async def refund(self, payment: Payment, amount: int, key: str) -> None:
        await payments.refund(
            institution_id=self.hospital.id,
            payment_id=payment.id,
            amount=amount,
            reason="退药",
            idempotency_key=key,
            now=self.clock.now(),
        )


@pytest.fixture
async def family(demo_data: None, clock: FixedClock, policies: PolicyBook) -> Family:
    return Family(
        son=await Member.get(name="张伟"),
        mother=await Member.get(name="王秀英"),
        hospital=await Institution.get(code="H41010500002"),
        clock=clock,
        policies=policies,
    )


def refused(code: ErrorCode) -> pytest.RaisesExc[DomainError]:
    return pytest.raises(DomainError, check=lambda error: error.code is code)


async def test_authorize_moves_the_quota_out_of_the_wallet_r11(family: Family) -> None:
    before = await wallets.balances(family.son.id)
    authorization = await family.grant(50_000)
    after = await wallets.balances(family.son.id)
    assert authorization.status is AuthorizationStatus.ACTIVE
    assert (authorization.quota, authorization.spent) == (50_000, 0)
    assert (after.wallet, after.reserved) == (before.wallet - 50_000, before.reserved + 50_000)


async def test_authorize_refuses_self_and_a_second_active_authorization(family: Family) -> None:
    with refused(ErrorCode.CANNOT_AUTHORIZE_SELF):
        await wallets.authorize(
            authorizer_id=family.son.id,
            relative_id=family.son.id,
            quota=100,
            policies=family.policies,
            now=family.clock.now(),
        )
    await family.grant(10_000)
    with refused(ErrorCode.AUTHORIZATION_ALREADY_ACTIVE):
        await family.grant(10_000)


async def test_pay_takes_family_money_up_to_the_quota_and_cash_the_rest_r11_r15(
    family: Family,
) -> None:
    authorization = await family.grant(5_000)
    bill = await family.bill("DIRECT-1", (DRUG, 8_000), (FITNESS, 1_000))
    payment, replayed = await family.pay(bill, authorization, "direct-pay-1")
    assert not replayed
    assert (payment.family_amount, payment.cash_amount) == (5_000, 4_000)
    assert payment.excluded_items == ["item1"]  # fitness is never family money (R15)
    assert (await Bill.get(id=bill.id)).status is BillStatus.PAID
    assert (await Authorization.get(id=authorization.id)).spent == 5_000


async def test_pay_again_with_the_same_key_replays_and_another_key_is_refused_r22(
    family: Family,
) -> None:
    authorization = await family.grant(5_000)
    bill = await family.bill("DIRECT-2", (DRUG, 1_000))
    first, _ = await family.pay(bill, authorization, "direct-pay-2")
    again, replayed = await family.pay(bill, authorization, "direct-pay-2")
    assert replayed and again.id == first.id
    with refused(ErrorCode.BILL_ALREADY_PAID):
        await family.pay(bill, authorization, "direct-pay-3")
    assert (await Authorization.get(id=authorization.id)).spent == 1_000


async def test_only_the_patient_pays_her_bill_r17(family: Family) -> None:
    authorization = await family.grant(5_000)
    bill = await family.bill("DIRECT-3", (DRUG, 1_000))
    with refused(ErrorCode.NOT_BILL_PATIENT):
        await family.pay(bill, authorization, "direct-pay-4", by=family.son)


async def test_pay_with_an_exhausted_quota_is_refused_r11(family: Family) -> None:
    authorization = await family.grant(1_000)
    await family.pay(await family.bill("DIRECT-4", (DRUG, 1_000)), authorization, "direct-5")
    with refused(ErrorCode.QUOTA_EXHAUSTED):
        await family.pay(await family.bill("DIRECT-5", (DRUG, 500)), authorization, "direct-6")


async def test_refund_gives_the_quota_back_then_the_wallet_after_revoke_r11_r22(
    family: Family,
) -> None:
    authorization = await family.grant(5_000)
    payment, _ = await family.pay(
        await family.bill("DIRECT-6", (DRUG, 4_000)), authorization, "direct-pay-7"
    )
    await family.refund(payment, 1_000, "refund-1")
    assert (await Authorization.get(id=authorization.id)).spent == 3_000
    with refused(ErrorCode.REFUND_EXCEEDS_PAYMENT):
        await family.refund(payment, 3_001, "refund-2")

    await wallets.revoke_authorization(
        member_id=family.son.id, authorization_id=authorization.id, now=family.clock.now()
    )
    wallet = (await wallets.balances(family.son.id)).wallet
    await family.refund(payment, 3_000, "refund-3")
    assert (await wallets.balances(family.son.id)).wallet == wallet + 3_000


async def test_an_unknown_bill_or_authorization_is_not_found(family: Family) -> None:
    authorization = await family.grant(5_000)
    bill = await family.bill("DIRECT-7", (DRUG, 1_000))
    with refused(ErrorCode.NOT_FOUND):
        await payments.pay(
            member_id=family.mother.id,
            bill_id=uuid.uuid4(),
            authorization_id=authorization.id,
            idempotency_key="direct-pay-8",
            policies=family.policies,
            now=family.clock.now(),
        )
    with refused(ErrorCode.NOT_FOUND):
        await payments.pay(
            member_id=family.mother.id,
            bill_id=bill.id,
            authorization_id=uuid.uuid4(),
            idempotency_key="direct-pay-9",
            policies=family.policies,
            now=family.clock.now(),
        )
