"""The institution's use cases called directly, on the demo data: counter codes, refunds by
bill, the settlement desk, API keys (R17, R22, R27)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from gongji.audit.models import AuditEntry
from gongji.clock import FixedClock
from gongji.errors import DomainError, ErrorCode
from gongji.identity.principals import InstitutionPrincipal
from gongji.identity.service import authenticate
from gongji.institutions import service as institutions
from gongji.institutions.models import Institution
from gongji.members.models import Member
from gongji.payments import queries, service
from gongji.payments.models import Bill, Payment, PaymentCode
from gongji.payments.rules import BillFigures, ItemCategory, LineItem, VisitType
from gongji.regions.policy import PolicyBook
from gongji.wallets.models import Authorization
from tests.conftest import person

pytestmark = pytest.mark.usefixtures("reconciled")

REASON = "患者申请核对本月家庭共济支付记录"


@dataclass
class Counter:
    """阿依古丽 (Urumqi) holds 200.00 from her father; an Urumqi hospital bills her."""

    child: Member
    authorization: Authorization
    hospital: Institution


@pytest.fixture
async def counter() -> Counter:
    child = await Member.get(name="阿依古丽")
    return Counter(
        child=child,
        authorization=await Authorization.get(relative_id=child.id),
        hospital=await Institution.get(code="H65010200001"),
    )


def figures(*amounts: tuple[ItemCategory, int]) -> BillFigures:
    items = tuple(LineItem(f"item{n}", c, a) for n, (c, a) in enumerate(amounts))
    return BillFigures(VisitType.OUTPATIENT, items, sum(a for _, a in amounts), 0, 0)


async def settle(
    counter: Counter, code: str, ref: str, clock: FixedClock, policies: PolicyBook, key: str = ""
) -> tuple[Payment, bool]:
    patient = person("阿依古丽")
    return await service.settle_with_payment_code(
        institution_id=counter.hospital.id,
        external_ref=ref,
        patient_name=patient.name,
        patient_id_number=patient.id_number,
        proxy_buyer=None,
        figures=figures((ItemCategory.DRUG, 5_000), (ItemCategory.WELLNESS, 1_000)),
        payment_code=code,
        idempotency_key=key or f"settle-{ref}",
        policies=policies,
        now=clock.now(),
    )


async def test_a_code_settles_once_and_a_refusal_keeps_nothing(
    counter: Counter, clock: FixedClock, policies: PolicyBook
) -> None:
    code, row = await service.create_payment_code(
        member_id=counter.child.id, authorization_id=counter.authorization.id, now=clock.now()
    )
    stored = await PaymentCode.get(id=row.id)
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    payment, replayed = await settle(counter, code, "WLMQ-C1", clock, policies)
    assert replayed is False
    assert (payment.family_amount, payment.cash_amount) == (5_000, 1_000)
    again, replayed = await settle(counter, code, "WLMQ-C1", clock, policies)
    assert replayed is True and again.id == payment.id
    with pytest.raises(DomainError) as used:
        await settle(counter, code, "WLMQ-C2", clock, policies)
    assert used.value.code is ErrorCode.PAYMENT_CODE_USED
    assert not await Bill.exists(external_ref="WLMQ-C2")
    assert (await PaymentCode.get(id=row.id)).payment_id == payment.id


async def test_an_expired_code_and_a_code_for_someone_else_are_refused(
    counter: Counter, clock: FixedClock, policies: PolicyBook
) -> None:
    code, _ = await service.create_payment_code(
        member_id=counter.child.id, authorization_id=counter.authorization.id, now=clock.now()
    )
    clock.advance(service.PAYMENT_CODE_TTL)
    with pytest.raises(DomainError) as expired:
        await settle(counter, code, "WLMQ-E1", clock, policies)
    assert (expired.value.code, expired.value.params) == (
        ErrorCode.PAYMENT_CODE_EXPIRED,
        {"minutes": 5},
    )
    fresh, _ = await service.create_payment_code(
        member_id=counter.child.id, authorization_id=counter.authorization.id, now=clock.now()
    )
    father = person("艾力·买买提")
    with pytest.raises(DomainError) as not_hers:
        await service.settle_with_payment_code(
            institution_id=counter.hospital.id,
            external_ref="WLMQ-E2",
            patient_name=father.name,
            patient_id_number=father.id_number,
            proxy_buyer=None,
            figures=figures((ItemCategory.DRUG, 100)),
            payment_code=fresh,
            idempotency_key="settle-wlmq-e2",
            policies=policies,
            now=clock.now(),
        )
    assert not_hers.value.code is ErrorCode.PAYMENT_CODE_NOT_FOR_PATIENT
    assert await Bill.filter(institution_id=counter.hospital.id).count() == 0


async def test_refund_by_settlement_number(
    counter: Counter, clock: FixedClock, policies: PolicyBook
) -> None:
    code, _ = await service.create_payment_code(
        member_id=counter.child.id, authorization_id=counter.authorization.id, now=clock.now()
    )
    await settle(counter, code, "WLMQ-R1", clock, policies)
    refund, _ = await service.refund_bill(
        institution_id=counter.hospital.id,
        bill_id=None,
        external_ref=" WLMQ-R1 ",
        amount=2_000,
        reason="退药",
        idempotency_key="refund-wlmq-r1",
        now=clock.now(),
    )
    assert refund.amount == 2_000
    assert (await Authorization.get(id=counter.authorization.id)).spent == 3_000
    lanzhou = await Institution.get(code="H62010200001")
    with pytest.raises(DomainError) as foreign:
        await service.refund_bill(
            institution_id=lanzhou.id,
            bill_id=None,
            external_ref="WLMQ-R1",
            amount=100,
            reason="退药",
            idempotency_key="refund-wlmq-r2",
            now=clock.now(),
        )
    assert (foreign.value.code, foreign.value.field) == (ErrorCode.NOT_FOUND, "externalRef")


async def test_the_desk_is_audited_and_says_nothing_of_strangers(
    counter: Counter, clock: FixedClock, policies: PolicyBook
) -> None:
    child = person("阿依古丽")
    with pytest.raises(DomainError) as never_here:
        await service.desk_lookup(
            institution_id=counter.hospital.id,
            patient_name=child.name,
            patient_id_number=child.id_number,
            since=None,
            until=None,
            reason=REASON,
            now=clock.now(),
        )
    assert (never_here.value.code, never_here.value.field) == (ErrorCode.MEMBER_NOT_FOUND, None)
    code, _ = await service.create_payment_code(
        member_id=counter.child.id, authorization_id=counter.authorization.id, now=clock.now()
    )
    await settle(counter, code, "WLMQ-D1", clock, policies)
    patient_id, (start, end) = await service.desk_lookup(
        institution_id=counter.hospital.id,
        patient_name=child.name,
        patient_id_number=child.id_number,
        since=clock.now().date(),
        until=clock.now().date(),
        reason=f"  {REASON}  ",
        now=clock.now(),
    )
    assert patient_id == counter.child.id
    uses = await queries.family_money_uses(counter.hospital.id, patient_id, start, end, 5, None)
    assert [b.external_ref for b in uses.page.rows] == ["WLMQ-D1"]
    (entry,) = await AuditEntry.filter(action="payments.desk_read")
    assert (entry.actor_kind, entry.subject_id, entry.reason) == (
        "institution",
        str(counter.child.id),
        REASON,
    )
    with pytest.raises(DomainError) as terse:
        await service.desk_lookup(
            institution_id=counter.hospital.id,
            patient_name=child.name,
            patient_id_number=child.id_number,
            since=None,
            until=None,
            reason="核对          一下",
            now=clock.now(),
        )
    assert terse.value.code is ErrorCode.DESK_REASON_REQUIRED


async def test_keys_rotate_expire_and_revoke_one_at_a_time(clock: FixedClock) -> None:
    hospital = await Institution.get(code="H41010500002")
    old, old_secret = await institutions.issue_api_key(
        code="H41010500002", label="HIS 2026", now=clock.now()
    )
    _new, new_secret = await institutions.issue_api_key(
        code="h41010500002", label="HIS 2027", expires_in_days=30, now=clock.now()
    )
    who = await authenticate(new_secret, now=clock.now())
    assert who == InstitutionPrincipal(hospital.id, "H41010500002", _new.id)
    await institutions.revoke_key(
        key_id=old.id,
        institution_id=hospital.id,
        actor=("institution", hospital.id),
        now=clock.now(),
    )
    assert await authenticate(old_secret, now=clock.now()) is None
    assert await authenticate(new_secret, now=clock.now()) is not None
    assert await authenticate(new_secret, now=clock.now() + timedelta(days=30)) is None
    other = await Institution.get(code="H62010200001")
    with pytest.raises(DomainError) as foreign:
        await institutions.revoke_key(
            key_id=_new.id,
            institution_id=other.id,
            actor=("institution", other.id),
            now=clock.now(),
        )
    assert foreign.value.code is ErrorCode.NOT_FOUND
    actions = await AuditEntry.filter(subject_id__in=[str(old.id), str(_new.id)]).values_list(
        "action", flat=True
    )
    assert sorted(actions) == [
        "institution.issue_key",
        "institution.issue_key",
        "institution.revoke_key",
    ]
