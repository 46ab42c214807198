"""Bills, payments, refunds and payment codes over GraphQL: the patient's and the institution's
halves of a payment."""

from __future__ import annotations

import datetime
import enum
import uuid
from collections.abc import Mapping
from typing import Annotated

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.errors import UserError, attempt, parse_id
from gongji.api.members import Person, Region
from gongji.api.pagination import AFTER_DESCRIPTION, FIRST_DESCRIPTION, Connection, connection
from gongji.api.scalars import Money
from gongji.api.throttling import throttled
from gongji.api.wallets import to_fen
from gongji.errors import DomainError
from gongji.institutions.models import Institution as InstitutionRow
from gongji.payments import queries, service
from gongji.payments.models import Bill as BillRow
from gongji.payments.models import BillStatus
from gongji.payments.models import Payment as PaymentRow
from gongji.payments.models import PaymentCode as PaymentCodeRow
from gongji.payments.models import Refund as RefundRow
from gongji.payments.queries import BillFilter, BillPage
from gongji.payments.rules import (
    EXCLUDED_CATEGORIES,
    BillFigures,
    ItemCategory,
    LineItem,
    VisitType,
    family_money_pays,
    period,
)
from gongji.throttle.policy import Operation


def describe_values(enum_type: type[enum.Enum], words: Mapping[enum.Enum, str]) -> None:
    """Give every value of a strawberry enum its description (GraphiQL shows them)."""
    definition: StrawberryEnumDefinition = enum_type.__dict__["__strawberry_definition__"]
    for value in definition.values:
        value.description = words[enum_type[value.name]]

strawberry.enum(
    VisitType,
    name="VisitType",
    description="就诊类型 (national med_type): 11, 14, 21, 41.",
)
describe_values(
    VisitType,
    {
        VisitType.OUTPATIENT: "11 普通门诊: outpatient visit.",
        VisitType.CHRONIC_OUTPATIENT: "14 门诊慢特病: chronic or special-disease outpatient care.",
        VisitType.INPATIENT: "21 普通住院: inpatient stay; family money pays it where the "
        "authorizer's region allows inpatient costs (R14).",
        VisitType.PHARMACY: "41 定点药店购药: purchase at a designated pharmacy.",
    },
)

_CATEGORY_WORDS = {
    ItemCategory.DRUG: "药品 drugs",
    ItemCategory.EXAMINATION: "检查化验 examinations and tests",
    ItemCategory.TREATMENT: "治疗 treatment",
    ItemCategory.MATERIAL: "医用材料 medical materials",
    ItemCategory.SERVICE: "医疗服务 medical services",
    ItemCategory.BED: "床位 bed",
    ItemCategory.SELF_PAY: "全自费 full self-pay items; their sum must equal fulamtOwnpayAmt",
    ItemCategory.PUBLIC_HEALTH: "公共卫生 public health",
    ItemCategory.FITNESS: "体育健身 sports and fitness",
    ItemCategory.WELLNESS: "养生保健 wellness",
    ItemCategory.COSMETIC: (
        "医学美容、非功能性整容 medical cosmetology, non-functional cosmetic surgery"
    ),
    ItemCategory.WEIGHT_LOSS: "减肥 weight loss",
    ItemCategory.BODYBUILDING: "健美 bodybuilding",
    ItemCategory.HEALTH_CHECKUP: "健康体检 health check-ups",
}


def _category_description(category: ItemCategory) -> str:
    if family_money_pays(category):
        return (
            f"{_CATEGORY_WORDS[category]}. Family money can pay this line's personal share (R14)."
        )
    return (
        f"{_CATEGORY_WORDS[category]}. Family money never pays this line (R15, national list; "
        "regionPolicy shows a region's): it stays with the patient as cash (psnCashPay)."
    )


strawberry.enum(
    ItemCategory,
    name="ItemCategory",
    description="A bill line's category. "
    + ", ".join(c.name for c in EXCLUDED_CATEGORIES)
    + " are never paid with family money under the national list (R15); each value says so.",
)
describe_values(ItemCategory, {c: _category_description(c) for c in ItemCategory})

strawberry.enum(
    BillStatus, name="BillStatus", description="Where a bill stands in its payment."
)
describe_values(
    BillStatus,
    {
        BillStatus.OPEN: "Billed, not yet paid with family money.",
        BillStatus.PAID: "Paid with family money (see `payment`).",
        BillStatus.PARTIALLY_REFUNDED: "Paid, and part of the family money refunded.",
        BillStatus.REFUNDED: "Paid, and all of the family money refunded.",
    },
)


@strawberry.type(description="定点医药机构: a designated hospital or pharmacy.")
class Institution:
    code: str = strawberry.field(
        description="National code: H + 6-digit region + 5 digits, or P + 11 digits."
    )
    name: str = strawberry.field(description="The institution's registered name.")
    region: Region = strawberry.field(description="Where it is (GB/T 2260), from its code.")

    @classmethod
    def of(cls, row: InstitutionRow, info: Info) -> Institution:
        return cls(code=row.code, name=row.name, region=Region.of(row.region, info))


@strawberry.type(description="One line of a bill.")
class BillItem:
    name: str = strawberry.field(description="The line as the institution names it.")
    category: ItemCategory = strawberry.field(
        description="Decides whether family money may pay the line (R15)."
    )
    amount: Money = strawberry.field(description="The line's amount.")


@strawberry.type(description="A refund of family money by the billing institution.")
class Refund:
    id: strawberry.ID = strawberry.field(description="The refund's id.")
    payment_id: strawberry.ID = strawberry.field(description="The payment it refunds.")
    amount: Money = strawberry.field(description="Family money returned.")
    returned_to_wallet: bool = strawberry.field(
        description="The authorization had ended, so the money went to the authorizer's wallet "
        "instead of back into the quota."
    )
    reason: str = strawberry.field(description="The institution's reason, as given.")
    created_at: datetime.datetime = strawberry.field(description="When it was refunded.")

    @classmethod
    def of(cls, row: RefundRow) -> Refund:
        return cls(
            id=strawberry.ID(str(row.id)),
            payment_id=strawberry.ID(str(row.payment_id)),
            amount=Money(row.amount),
            returned_to_wallet=row.to_wallet,
            reason=row.reason,
            created_at=row.created_at,
        )


@strawberry.type(
    description="家庭共济支付: a bill's settlement with family money, in the national "
    "settlement's terms. Seen by the patient and the billing institution only."
)
class Payment:
    id: strawberry.ID = strawberry.field(description="The payment's id.")
    authorization_id: strawberry.ID = strawberry.field(
        description="The authorization 共济授权 whose quota paid."
    )
    psn_part_amt: Money = strawberry.field(
        description="psn_part_amt 个人负担: the total less the pooled fund."
    )
    acct_mulaid_pay: Money = strawberry.field(
        description="acct_mulaid_pay 个人账户共济支付: paid with family money."
    )
    psn_cash_pay: Money = strawberry.field(
        description="psn_cash_pay 个人现金支付: what the institution still collects from the "
        "patient (excluded lines, and anything above the remaining quota)."
    )
    excluded_amount: Money = strawberry.field(
        description="The lines family money may not pay (R15), SELF_PAY lines included."
    )
    excluded_items: list[str] = strawberry.field(description="Names of those lines.")
    refunded: Money = strawberry.field(description="Family money refunded so far.")
    refunds: list[Refund] = strawberry.field(description="Each refund, oldest first.")
    created_at: datetime.datetime = strawberry.field(description="When it was paid.")
    bill_id: strawberry.Private[uuid.UUID]
    authorizer_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The bill this payment settled.")
    async def bill(self, info: Info) -> Bill:
        return await Bill.of(await BillRow.get(id=self.bill_id), info)

    @strawberry.field(description="The relative whose family money paid (masked).")
    async def authorizer(self, info: Info) -> Person:
        member = await info.context.loaders.member_by_id.load(self.authorizer_id)
        assert member is not None
        return Person.of(member, info)

    @classmethod
    def of(cls, row: PaymentRow, refunds: list[RefundRow]) -> Payment:
        return cls(
            id=strawberry.ID(str(row.id)),
            authorization_id=strawberry.ID(str(row.authorization_id)),
            psn_part_amt=Money(row.personal_share),
            acct_mulaid_pay=Money(row.family_amount),
            psn_cash_pay=Money(row.cash_amount),
            excluded_amount=Money(row.excluded_amount),
            excluded_items=list(row.excluded_items),
            refunded=Money(row.refunded),
            refunds=[Refund.of(r) for r in refunds],
            created_at=row.created_at,
            bill_id=row.bill_id,
            authorizer_id=row.authorizer_id,
        )

    @classmethod
    async def load(cls, row: PaymentRow) -> Payment:
        refunds = await RefundRow.filter(payment_id=row.id).order_by("created_at", "id")
        return cls.of(row, refunds)


@strawberry.type(
    description="A settlement from an institution for one patient, and once paid its split. "
    "Seen by the patient and the billing institution only."
)
class Bill:
    id: strawberry.ID = strawberry.field(description="Our id for the bill.")
    external_ref: str = strawberry.field(description="The institution's settlement number.")
    institution: Institution = strawberry.field(description="The billing institution.")
    patient: Person = strawberry.field(description="The patient (R17), masked.")
    proxy_buyer: Person | None = strawberry.field(
        description="代购药: the relative who bought at a pharmacy for the patient (R17)."
    )
    visit_type: VisitType = strawberry.field(description="就诊类型.")
    items: list[BillItem] = strawberry.field(description="The lines, in the institution's order.")
    medfee_sumamt: Money = strawberry.field(description="medfee_sumamt 医疗费总额: the total.")
    hifp_pay: Money = strawberry.field(description="hifp_pay 统筹基金支付: the pooled fund's part.")
    fulamt_ownpay_amt: Money = strawberry.field(
        description="fulamt_ownpay_amt 全自费金额: equals the SELF_PAY lines."
    )
    status: BillStatus = strawberry.field(description="Paid, refunded or open.")
    created_at: datetime.datetime = strawberry.field(description="When it was billed.")
    payment: Payment | None = strawberry.field(
        description="The settlement once paid: family amount, cash still to collect, excluded "
        "lines, refunds. Null while open."
    )

    @classmethod
    async def of(cls, row: BillRow, info: Info) -> Bill:
        return (await bills_of([row], info))[0]


async def bills_of(rows: list[BillRow], info: Info) -> list[Bill]:
    """A page of bills in a fixed number of queries, whatever its size."""
    found = await queries.details(rows)
    people = list({i for b in rows for i in (b.patient_id, b.proxy_buyer_id) if i})
    found_members = await info.context.loaders.member_by_id.load_many(people)
    members = dict(zip(people, found_members, strict=True))
    places = list({b.institution_id for b in rows})
    found_places = await info.context.loaders.institution_by_id.load_many(places)
    institutions = dict(zip(places, found_places, strict=True))

    def person(member_id: uuid.UUID) -> Person:
        member = members[member_id]
        assert member is not None
        return Person.of(member, info)

    bills = []
    for d in found:
        row, institution = d.bill, institutions[d.bill.institution_id]
        assert institution is not None
        buyer = row.proxy_buyer_id
        bills.append(
            Bill(
                id=strawberry.ID(str(row.id)),
                external_ref=row.external_ref,
                institution=Institution.of(institution, info),
                patient=person(row.patient_id),
                proxy_buyer=person(buyer) if buyer else None,
                visit_type=row.visit_type,
                items=[
                    BillItem(name=i.name, category=i.category, amount=Money(i.amount))
                    for i in d.items
                ],
                medfee_sumamt=Money(row.medfee_sumamt),
                hifp_pay=Money(row.hifp_pay),
                fulamt_ownpay_amt=Money(row.fulamt_ownpay_amt),
                status=row.status,
                created_at=row.created_at,
                payment=Payment.of(d.payment, d.refunds) if d.payment else None,
            )
        )
    return bills


async def _bill_connection(found: BillPage, info: Info) -> Connection[Bill]:
    rows = found.page.rows
    nodes = await bills_of(rows, info)
    cursors = [queries.BILLS.cursor_of(r) for r in rows]
    return connection(zip(cursors, nodes, strict=True), found.page.has_next, found.total)


@strawberry.input(description="One line of a bill.")
class BillItemInput:
    name: str = strawberry.field(description="The line's name, 1–128 characters.")
    category: ItemCategory = strawberry.field(
        description="Decides whether family money may pay the line (R15)."
    )
    amount: Money = strawberry.field(description="Above zero.")


@strawberry.input(description="A settlement for one patient, in the national platform's terms.")
class CreateBillInput:
    external_ref: str = strawberry.field(
        description="Your settlement number (1–64 characters); sending it again with the same "
        "content returns the same bill."
    )
    patient_name: str = strawberry.field(description="The patient's name, as on the ID card.")
    patient_id_number: str = strawberry.field(
        description="The patient's resident ID number (18 characters). The patient always "
        "uses their own insurance identity (R17)."
    )
    visit_type: VisitType = strawberry.field(description="就诊类型.")
    items: list[BillItemInput] = strawberry.field(
        description="1–200 lines; they must add up to medfeeSumamt."
    )
    medfee_sumamt: Money = strawberry.field(description="medfee_sumamt 医疗费总额.")
    hifp_pay: Money = strawberry.field(
        description="hifp_pay 统筹基金支付: the pooled fund's part, as your settlement says "
        "(sharing never changes it, R18). Zero allowed."
    )
    fulamt_ownpay_amt: Money = strawberry.field(
        description="fulamt_ownpay_amt 全自费金额: must equal the sum of the SELF_PAY lines, or "
        "the bill is refused with BILL_SELF_PAY_MISMATCH. Zero allowed."
    )
    proxy_buyer_name: str | None = strawberry.field(
        default=None, description="代购药 at a pharmacy: the name of the relative who bought."
    )
    proxy_buyer_id_number: str | None = strawberry.field(
        default=None, description="代购药 at a pharmacy: the relative's ID number (R17)."
    )


@strawberry.input(
    description="A counter settlement: the bill, and the payment code the patient shows."
)
class SettleWithPaymentCodeInput(CreateBillInput):
    payment_code: str = strawberry.field(
        description="The 18-digit code from the patient's mini-program (createPaymentCode): "
        "valid 5 minutes, once, for that patient only."
    )


@strawberry.input(description="Which of your bills to list; every part is optional.")
class BillFilterInput:
    status: BillStatus | None = strawberry.field(
        default=None, description="Only bills in this status."
    )
    from_: datetime.date | None = strawberry.field(
        default=None, name="from", description="Billed on or after this day (China time)."
    )
    to: datetime.date | None = strawberry.field(
        default=None, description="Billed on or before this day (China time)."
    )
    external_ref: str | None = strawberry.field(
        default=None, description="Only the bill with this settlement number."
    )

    def to_domain(self) -> BillFilter:
        start, end = period(self.from_, self.to)
        return BillFilter(status=self.status, start=start, end=end, external_ref=self.external_ref)


@strawberry.type(description="The result of createBill.")
class BillPayload:
    bill: Bill | None = strawberry.field(description="The bill; null when refused.")
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty if not.")


@strawberry.type(description="The result of a payment (pay, settleWithPaymentCode).")
class PaymentPayload:
    payment: Payment | None = strawberry.field(description="The payment; null when refused.")
    replayed: bool = strawberry.field(description="A retry: the first result, nothing moved.")
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty if not.")

    @classmethod
    async def of(
        cls, result: tuple[PaymentRow, bool] | None, errors: list[UserError]
    ) -> PaymentPayload:
        if result is None:
            return cls(payment=None, replayed=False, errors=errors)
        row, replayed = result
        # a payment just made has no refunds yet: no query for them
        payment = await Payment.load(row) if replayed else Payment.of(row, [])
        return cls(payment=payment, replayed=replayed, errors=[])


@strawberry.type(description="The result of a refund.")
class RefundPayload:
    refund: Refund | None = strawberry.field(description="This refund; null when refused.")
    payment: Payment | None = strawberry.field(description="The payment after the refund.")
    replayed: bool = strawberry.field(description="A retry: the first result, nothing moved.")
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty if not.")


@strawberry.type(description="The result of createPaymentCode.")
class PaymentCodePayload:
    code: str | None = strawberry.field(
        description="18 digits to show at the counter (as a QR or bar code); shown only now."
    )
    expires_at: datetime.datetime | None = strawberry.field(
        description="The code works once, until this moment (5 minutes)."
    )
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty if not.")


def _non_negative(raw: object, field: str) -> int:
    return 0 if str(raw).strip() in {"0", "0.0", "0.00"} else to_fen(raw, field)


def _figures(input: CreateBillInput) -> BillFigures:
    return BillFigures(
        visit_type=input.visit_type,
        items=tuple(
            LineItem(i.name, i.category, to_fen(i.amount, f"items.{n}.amount"))
            for n, i in enumerate(input.items)
        ),
        medfee_sumamt=to_fen(input.medfee_sumamt, "medfeeSumamt"),
        hifp_pay=_non_negative(input.hifp_pay, "hifpPay"),
        fulamt_ownpay_amt=_non_negative(input.fulamt_ownpay_amt, "fulamtOwnpayAmt"),
    )


def _buyer(input: CreateBillInput) -> tuple[str, str] | None:
    if not input.proxy_buyer_id_number:
        return None
    return (input.proxy_buyer_name or "", input.proxy_buyer_id_number)


async def _refund_payload(
    result: tuple[RefundRow, bool] | None, errors: list[UserError]
) -> RefundPayload:
    if result is None:
        return RefundPayload(refund=None, payment=None, replayed=False, errors=errors)
    row, replayed = result
    payment = await PaymentRow.get(id=row.payment_id)
    return RefundPayload(
        refund=Refund.of(row), payment=await Payment.load(payment), replayed=replayed, errors=[]
    )


@strawberry.type
class PaymentQuery:
    @strawberry.field(
        description="Bills naming the verified caller as the patient, newest first. Empty for "
        "anyone else."
    )
    async def my_bills(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> Connection[Bill]:
        async def run() -> Connection[Bill]:
            member_id = permissions.member_or_none(info)
            if member_id is None:
                member_id = uuid.UUID(int=0)  # nobody's bills: an empty page
            return await _bill_connection(
                await queries.patient_bills(member_id, first, after), info
            )

        return await run()

    @strawberry.field(description="One bill, for its patient or its institution; else null.")
    async def bill(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The bill's id.")],
    ) -> Bill | None:
        who = permissions.principal(info)
        try:
            row = await queries.visible_bill(parse_id(id, "id"), who)
        except DomainError:  # a malformed id is simply not found
            return None
        return await Bill.of(row, info) if row else None

    @strawberry.field(
        description="The calling institution's own bills, newest first, with their "
        "settlement once paid (API key only)."
    )
    async def institution_bills(
        self,
        info: Info,
        filter: Annotated[
            BillFilterInput | None,
            strawberry.argument(description="Status, days, settlement number."),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> Connection[Bill]:
        async def run() -> Connection[Bill]:
            institution = permissions.institution(info)
            f = filter.to_domain() if filter else BillFilter()
            found = await queries.institution_bills(institution.institution_id, f, first, after)
            return await _bill_connection(found, info)

        return await run()

    @strawberry.field(
        description="结算窗口查询 (R27): the settlement desk reads a patient's family-money "
        "payments at this institution in a period, given the patient's name and ID number. "
        "Every read is audited with the reason. A name and ID number that do not match, or a "
        "patient never billed here, are refused alike (MEMBER_NOT_FOUND)."
    )
    async def patient_family_money_uses(
        self,
        info: Info,
        patient_name: Annotated[
            str, strawberry.argument(description="As on the patient's ID card.")
        ],
        patient_id_number: Annotated[
            str, strawberry.argument(description="The patient's resident ID number.")
        ],
        from_: Annotated[
            datetime.date,
            strawberry.argument(
                name="from", description="First day of the period (China time), inclusive."
            ),
        ],
        to: Annotated[
            datetime.date,
            strawberry.argument(description="Last day of the period (China time), inclusive."),
        ],
        reason: Annotated[
            str,
            strawberry.argument(
                description="Why the desk looks: a sentence, at least 10 characters; audited."
            ),
        ],
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> Connection[Bill]:
        async def run() -> Connection[Bill]:
            institution_id = permissions.institution(info).institution_id
            patient_id, (start, end) = await service.desk_lookup(
                institution_id=institution_id,
                patient_name=patient_name,
                patient_id_number=patient_id_number,
                since=from_,
                until=to,
                reason=reason,
                now=info.context.now(),
            )
            found = await queries.family_money_uses(
                institution_id, patient_id, start, end, first, after
            )
            return await _bill_connection(found, info)

        return await run()


@strawberry.type
class PaymentMutation:
    @strawberry.mutation(
        description="An institution bills a patient (API key). Idempotent by externalRef."
    )
    async def create_bill(
        self,
        info: Info,
        input: Annotated[CreateBillInput, strawberry.argument(description="The settlement.")],
    ) -> BillPayload:
        async def run() -> BillRow:
            institution = permissions.institution(info)
            return await service.create_bill(
                institution_id=institution.institution_id,
                external_ref=input.external_ref,
                patient_name=input.patient_name,
                patient_id_number=input.patient_id_number,
                proxy_buyer=_buyer(input),
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
        bill_id: Annotated[strawberry.ID, strawberry.argument(description="The bill naming you.")],
        authorization_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="An authorization granted to you (authorizationsReceived)."
            ),
        ],
        idempotency_key: Annotated[
            str,
            strawberry.argument(
                description="8–80 characters, unique per payment; a retry with it moves nothing."
            ),
        ],
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
        return await PaymentPayload.of(result, errors)

    @strawberry.mutation(
        description="付款码: the patient makes a one-time code for one of their authorizations, "
        "to show at the counter (like the 医保码). 18 digits, valid 5 minutes, single use; "
        "only its hash is kept."
    )
    async def create_payment_code(
        self,
        info: Info,
        authorization_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="An active authorization granted to you."),
        ],
    ) -> PaymentCodePayload:
        async def run() -> tuple[str, PaymentCodeRow]:
            return await service.create_payment_code(
                member_id=permissions.verified_member(info),
                authorization_id=parse_id(authorization_id, "authorizationId"),
                now=info.context.now(),
            )

        result, errors = await attempt(
            throttled(info, Operation.CREATE_PAYMENT_CODE, run), info.context.language
        )
        if result is None:
            return PaymentCodePayload(code=None, expires_at=None, errors=errors)
        code, row = result
        return PaymentCodePayload(code=code, expires_at=row.expires_at, errors=[])

    @strawberry.mutation(
        description="At the counter (API key): bill the patient and pay with the payment code "
        "they show, in one call. The same rules, ledger and retries as pay; nothing is kept "
        "when refused, the bill included. Idempotent by key."
    )
    async def settle_with_payment_code(
        self,
        info: Info,
        input: Annotated[
            SettleWithPaymentCodeInput,
            strawberry.argument(description="The settlement and the patient's code."),
        ],
        idempotency_key: Annotated[
            str,
            strawberry.argument(
                description="8–80 characters, unique per settlement; a retry with it moves nothing."
            ),
        ],
    ) -> PaymentPayload:
        async def run() -> tuple[PaymentRow, bool]:
            return await service.settle_with_payment_code(
                institution_id=permissions.institution(info).institution_id,
                external_ref=input.external_ref,
                patient_name=input.patient_name,
                patient_id_number=input.patient_id_number,
                proxy_buyer=_buyer(input),
                figures=_figures(input),
                payment_code=input.payment_code,
                idempotency_key=idempotency_key,
                policies=info.context.services.policies,
                now=info.context.now(),
            )

        result, errors = await attempt(
            throttled(info, Operation.SETTLE_WITH_PAYMENT_CODE, run), info.context.language
        )
        return await PaymentPayload.of(result, errors)

    @strawberry.mutation(
        description="The billing institution refunds family money by its bill, in full or in "
        "part (R11, R22): the quota comes back, or the authorizer's wallet if the "
        "authorization has ended. Give billId or externalRef. Idempotent by key."
    )
    async def refund_bill(
        self,
        info: Info,
        amount: Annotated[
            Money, strawberry.argument(description="At most what is still refundable.")
        ],
        reason: Annotated[
            str, strawberry.argument(description="Why; kept with the refund and audited.")
        ],
        idempotency_key: Annotated[
            str,
            strawberry.argument(
                description="8–80 characters, unique per refund; a retry with it moves nothing."
            ),
        ],
        bill_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Our id of your bill.")
        ] = None,
        external_ref: Annotated[
            str | None, strawberry.argument(description="Or your settlement number.")
        ] = None,
    ) -> RefundPayload:
        async def run() -> tuple[RefundRow, bool]:
            return await service.refund_bill(
                institution_id=permissions.institution(info).institution_id,
                bill_id=parse_id(bill_id, "billId") if bill_id is not None else None,
                external_ref=external_ref,
                amount=to_fen(amount, "amount"),
                reason=reason,
                idempotency_key=idempotency_key,
                now=info.context.now(),
            )

        return await _refund_payload(*await attempt(
            throttled(info, Operation.REFUND_BILL, run), info.context.language
        ))

    @strawberry.mutation(
        description="The billing institution refunds family money by payment id (R22).",
        deprecation_reason="Use refundBill: refund by your bill id or settlement number.",
    )
    async def refund_payment(
        self,
        info: Info,
        payment_id: Annotated[
            strawberry.ID, strawberry.argument(description="The payment's id (Bill.payment.id).")
        ],
        amount: Annotated[
            Money, strawberry.argument(description="At most what is still refundable.")
        ],
        reason: Annotated[
            str, strawberry.argument(description="Why; kept with the refund and audited.")
        ],
        idempotency_key: Annotated[
            str,
            strawberry.argument(
                description="8–80 characters, unique per refund; a retry with it moves nothing."
            ),
        ],
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

        return await _refund_payload(*await attempt(
            throttled(info, Operation.REFUND_PAYMENT, run), info.context.language
        ))
