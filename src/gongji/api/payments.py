"""Bills, payments and refunds over GraphQL."""

from __future__ import annotations

import datetime
import uuid

import strawberry

from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.errors import UserError, attempt, parse_id
from gongji.api.members import Person, Region
from gongji.api.scalars import Money
from gongji.api.throttling import throttled
from gongji.api.wallets import to_fen
from gongji.errors import DomainError
from gongji.identity.principals import InstitutionPrincipal, MemberPrincipal
from gongji.institutions.models import Institution as InstitutionRow
from gongji.payments import service
from gongji.payments.models import Bill as BillRow
from gongji.payments.models import BillItem as BillItemRow
from gongji.payments.models import BillStatus
from gongji.payments.models import Payment as PaymentRow
from gongji.payments.models import Refund as RefundRow
from gongji.payments.rules import BillFigures, ItemCategory, LineItem, VisitType
from gongji.throttle.policy import Operation

VisitTypeType = strawberry.enum(
    VisitType,
    name="VisitType",
    description="就诊类型 (national med_type): 11, 14, 21, 41.",
)
ItemCategoryType = strawberry.enum(ItemCategory, name="ItemCategory")
BillStatusType = strawberry.enum(BillStatus, name="BillStatus")


@strawberry.type(description="定点医药机构.")
class Institution:
    code: str
    name: str
    region: Region

    @classmethod
    def of(cls, row: InstitutionRow, info: Info) -> Institution:
        return cls(code=row.code, name=row.name, region=Region.of(row.region, info))


@strawberry.type
class BillItem:
    name: str
    category: ItemCategoryType  # type: ignore[valid-type]
    amount: Money


@strawberry.type(description="A settlement from an institution, for one patient.")
class Bill:
    id: strawberry.ID
    external_ref: str
    institution: Institution
    patient: Person
    proxy_buyer: Person | None = strawberry.field(description="代购药: who bought (R17).")
    visit_type: VisitTypeType  # type: ignore[valid-type]
    items: list[BillItem]
    medfee_sumamt: Money = strawberry.field(description="医疗费总额.")
    hifp_pay: Money = strawberry.field(description="统筹基金支付 (pooled fund).")
    fulamt_ownpay_amt: Money = strawberry.field(description="全自费金额.")
    status: BillStatusType  # type: ignore[valid-type]
    created_at: datetime.datetime

    @classmethod
    async def of(cls, row: BillRow, info: Info) -> Bill:
        await row.fetch_related("institution", "patient", "proxy_buyer")
        items = await BillItemRow.filter(bill=row).order_by("position")
        return cls(
            id=strawberry.ID(str(row.id)),
            external_ref=row.external_ref,
            institution=Institution.of(row.institution, info),
            patient=Person.of(row.patient, info),
            proxy_buyer=Person.of(row.proxy_buyer, info) if row.proxy_buyer else None,
            visit_type=row.visit_type,
            items=[
                BillItem(name=i.name, category=i.category, amount=Money(i.amount)) for i in items
            ],
            medfee_sumamt=Money(row.medfee_sumamt),
            hifp_pay=Money(row.hifp_pay),
            fulamt_ownpay_amt=Money(row.fulamt_ownpay_amt),
            status=row.status,
            created_at=row.created_at,
        )


@strawberry.type(description="家庭共济支付, in the national settlement's terms.")
class Payment:
    id: strawberry.ID
    authorization_id: strawberry.ID
    psn_part_amt: Money = strawberry.field(description="个人负担: total less pooled fund.")
    acct_mulaid_pay: Money = strawberry.field(description="个人账户共济支付: paid by family money.")
    psn_cash_pay: Money = strawberry.field(description="个人现金支付: left for the patient.")
    excluded_amount: Money = strawberry.field(description="Not payable with family money (R15).")
    excluded_items: list[str]
    refunded: Money
    created_at: datetime.datetime
    bill_id: strawberry.Private[uuid.UUID]
    authorizer_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def bill(self, info: Info) -> Bill:
        return await Bill.of(await BillRow.get(id=self.bill_id), info)

    @strawberry.field
    async def authorizer(self, info: Info) -> Person:
        member = await info.context.loaders.member_by_id.load(self.authorizer_id)
        assert member is not None
        return Person.of(member, info)

    @classmethod
    def of(cls, row: PaymentRow) -> Payment:
        return cls(
            id=strawberry.ID(str(row.id)),
            authorization_id=strawberry.ID(str(row.authorization_id)),  # type: ignore[attr-defined]
            psn_part_amt=Money(row.personal_share),
            acct_mulaid_pay=Money(row.family_amount),
            psn_cash_pay=Money(row.cash_amount),
            excluded_amount=Money(row.excluded_amount),
            excluded_items=list(row.excluded_items),
            refunded=Money(row.refunded),
            created_at=row.created_at,
            bill_id=row.bill_id,  # type: ignore[attr-defined]
            authorizer_id=row.authorizer_id,  # type: ignore[attr-defined]
        )


@strawberry.type
class Refund:
    id: strawberry.ID
    payment_id: strawberry.ID
    amount: Money
    returned_to_wallet: bool = strawberry.field(
        description="The authorization had ended, so the money went to the authorizer's wallet."
    )
    reason: str
    created_at: datetime.datetime


@strawberry.input
class BillItemInput:
    name: str
    category: ItemCategoryType  # type: ignore[valid-type]
    amount: Money


@strawberry.input
class CreateBillInput:
    external_ref: str = strawberry.field(
        description="Your settlement number; sending it again returns the same bill."
    )
    patient_name: str
    patient_id_number: str
    visit_type: VisitTypeType  # type: ignore[valid-type]
    items: list[BillItemInput]
    medfee_sumamt: Money
    hifp_pay: Money
    fulamt_ownpay_amt: Money
    proxy_buyer_name: str | None = None
    proxy_buyer_id_number: str | None = strawberry.field(
        default=None, description="代购药 at a pharmacy: the relative who bought (R17)."
    )


@strawberry.type
class BillPayload:
    bill: Bill | None
    errors: list[UserError]


@strawberry.type
class PaymentPayload:
    payment: Payment | None
    replayed: bool = strawberry.field(description="A retry: the first result, nothing moved.")
    errors: list[UserError]


@strawberry.type
class RefundPayload:
    refund: Refund | None
    payment: Payment | None
    replayed: bool
    errors: list[UserError]


def _non_negative(raw: object, field: str) -> int:
    return 0 if str(raw).strip() in {"0", "0.0", "0.00"} else to_fen(raw, field)


def _figures(input: CreateBillInput) -> BillFigures:
    return BillFigures(
        visit_type=VisitType(input.visit_type),
        items=tuple(
            LineItem(i.name, ItemCategory(i.category), to_fen(i.amount, f"items.{n}.amount"))
            for n, i in enumerate(input.items)
        ),
        medfee_sumamt=to_fen(input.medfee_sumamt, "medfeeSumamt"),
        hifp_pay=_non_negative(input.hifp_pay, "hifpPay"),
        fulamt_ownpay_amt=_non_negative(input.fulamt_ownpay_amt, "fulamtOwnpayAmt"),
    )


@strawberry.type
class PaymentQuery:
    @strawberry.field(description="Bills naming the verified caller as the patient, newest first.")
    async def my_bills(self, info: Info) -> list[Bill]:
        member_id = permissions.member_or_none(info)
        rows = (
            await BillRow.filter(patient_id=member_id).order_by("-created_at") if member_id else []
        )
        return [await Bill.of(r, info) for r in rows]

    @strawberry.field(description="One bill, for its patient or its institution; else null.")
    async def bill(self, info: Info, id: strawberry.ID) -> Bill | None:
        who = permissions.principal(info)
        try:
            row = await BillRow.get_or_none(id=parse_id(id, "id"))
        except DomainError:  # a malformed id is simply not found
            return None
        if row is None:
            return None
        visible = (
            isinstance(who, MemberPrincipal) and row.patient_id == who.member_id  # type: ignore[attr-defined]
        ) or (
            isinstance(who, InstitutionPrincipal) and row.institution_id == who.institution_id  # type: ignore[attr-defined]
        )
        return await Bill.of(row, info) if visible else None


@strawberry.type
class PaymentMutation:
    @strawberry.mutation(
        description="An institution bills a patient (API key). Idempotent by externalRef."
    )
    async def create_bill(self, info: Info, input: CreateBillInput) -> BillPayload:
        async def run() -> BillRow:
            institution = permissions.institution(info)
            buyer = None
            if input.proxy_buyer_id_number:
                buyer = (input.proxy_buyer_name or "", input.proxy_buyer_id_number)
            return await service.create_bill(
                institution_id=institution.institution_id,
                external_ref=input.external_ref,
                patient_name=input.patient_name,
                patient_id_number=input.patient_id_number,
                proxy_buyer=buyer,
                figures=_figures(input),
                now=info.context.now(),
            )

        row, errors = await attempt(
            throttled(info, Operation.CREATE_BILL, run), info.context.language
        )
        return BillPayload(bill=await Bill.of(row, info) if row else None, errors=errors)

    @strawberry.mutation(
        description="The patient pays a bill with family money (R13–R18). Idempotent by key."
    )
    async def pay(
        self,
        info: Info,
        bill_id: strawberry.ID,
        authorization_id: strawberry.ID,
        idempotency_key: str,
    ) -> PaymentPayload:
        async def run() -> tuple[PaymentRow, bool]:
            return await service.pay(
                member_id=permissions.verified_member(info),
                bill_id=parse_id(bill_id, "billId"),
                authorization_id=parse_id(authorization_id, "authorizationId"),
                idempotency_key=idempotency_key,
                policies=info.context.services.policies,
                now=info.context.now(),
            )

        result, errors = await attempt(throttled(info, Operation.PAY, run), info.context.language)
        if result is None:
            return PaymentPayload(payment=None, replayed=False, errors=errors)
        row, replayed = result
        return PaymentPayload(payment=Payment.of(row), replayed=replayed, errors=[])

    @strawberry.mutation(
        description="The institution refunds family money, in full or part (R22). Idempotent."
    )
    async def refund_payment(
        self,
        info: Info,
        payment_id: strawberry.ID,
        amount: Money,
        reason: str,
        idempotency_key: str,
    ) -> RefundPayload:
        async def run() -> tuple[RefundRow, bool]:
            return await service.refund(
                institution_id=permissions.institution(info).institution_id,
                payment_id=parse_id(payment_id, "paymentId"),
                amount=to_fen(amount, "amount"),
                reason=reason,
                idempotency_key=idempotency_key,
                now=info.context.now(),
            )

        result, errors = await attempt(
            throttled(info, Operation.REFUND_PAYMENT, run), info.context.language
        )
        if result is None:
            return RefundPayload(refund=None, payment=None, replayed=False, errors=errors)
        row, replayed = result
        payment = await PaymentRow.get(id=row.payment_id)  # type: ignore[attr-defined]
        return RefundPayload(
            refund=Refund(
                id=strawberry.ID(str(row.id)),
                payment_id=strawberry.ID(str(payment.id)),
                amount=Money(row.amount),
                returned_to_wallet=row.to_wallet,
                reason=row.reason,
                created_at=row.created_at,
            ),
            payment=Payment.of(payment),
            replayed=replayed,
            errors=[],
        )
