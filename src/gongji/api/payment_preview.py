"""paymentPreview: the split `pay` would make, shown to the patient before they confirm."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.errors import UserError, attempt, parse_id
from gongji.api.members import Person
from gongji.api.scalars import Money
from gongji.money import format_yuan
from gongji.payments import queries
from gongji.payments.rules import ItemCategory, LineItem

# (zh, en) names of the categories family money may skip (R15), for the patient to read.
_CATEGORY_NAMES: dict[ItemCategory, tuple[str, str]] = {
    ItemCategory.DRUG: ("药品", "drugs"),
    ItemCategory.EXAMINATION: ("检查化验", "examinations"),
    ItemCategory.TREATMENT: ("治疗", "treatment"),
    ItemCategory.MATERIAL: ("医用材料", "medical materials"),
    ItemCategory.SERVICE: ("医疗服务", "medical services"),
    ItemCategory.BED: ("床位", "bed"),
    ItemCategory.SELF_PAY: ("全自费项目", "full self-pay items"),
    ItemCategory.PUBLIC_HEALTH: ("公共卫生", "public health"),
    ItemCategory.FITNESS: ("体育健身", "sports and fitness"),
    ItemCategory.WELLNESS: ("养生保健", "wellness"),
    ItemCategory.COSMETIC: ("医学美容", "medical cosmetology"),
    ItemCategory.WEIGHT_LOSS: ("减肥", "weight loss"),
    ItemCategory.BODYBUILDING: ("健美", "bodybuilding"),
    ItemCategory.HEALTH_CHECKUP: ("健康体检", "health check-ups"),
}


def _reason(category: ItemCategory, english: bool) -> str:
    zh, en = _CATEGORY_NAMES[category]
    if english:
        return f"{en.capitalize()} are never paid with family money (R15)."
    return f"{zh}不能用共济资金支付，由个人现金支付（R15）。"


def _notes(found: queries.PaymentPreview, english: bool) -> list[str]:
    """The split in plain sentences, each figure from the preview itself."""
    bill, cover = found.bill, found.cover
    y = format_yuan
    over_quota = cover.coverable - found.family
    if english:
        notes = [
            f"Your share {y(cover.personal_share)} = total {y(bill.medfee_sumamt)} − pooled "
            f"fund {y(bill.hifp_pay)}; sharing never changes the pooled fund (R18)."
        ]
        if cover.excluded_amount:
            notes.append(f"{y(cover.excluded_amount)} of it family money may not pay (R15).")
        if over_quota > 0:
            notes.append(
                f"Only {y(found.remaining_quota)} of the quota is left: {y(over_quota)} more "
                "is paid in cash (R11)."
            )
        notes.append(f"Family money pays {y(found.family)}, you pay {y(found.cash)} in cash.")
        return notes
    notes = [
        f"个人负担{y(cover.personal_share)}元 = 医疗费总额{y(bill.medfee_sumamt)}元 − "
        f"统筹基金支付{y(bill.hifp_pay)}元；共济不改变报销比例（R18）。"
    ]
    if cover.excluded_amount:
        notes.append(f"其中{y(cover.excluded_amount)}元为不可用共济资金支付的项目（R15）。")
    if over_quota > 0:
        notes.append(
            f"共济额度仅剩{y(found.remaining_quota)}元，超出的{y(over_quota)}元由个人现金支付（R11）。"
        )
    notes.append(f"本次共济支付{y(found.family)}元，个人现金支付{y(found.cash)}元。")
    return notes


@strawberry.type(description="A bill line family money will not pay, and why (R15).")
class ExcludedLine:
    name: str = strawberry.field(description="The line as the institution names it.")
    category: ItemCategory = strawberry.field(description="Its category, which decides it.")
    amount: Money = strawberry.field(description="The line's amount, left to cash.")
    reason: str = strawberry.field(description="Why, in the caller's language.")

    @classmethod
    def of(cls, line: LineItem, english: bool) -> ExcludedLine:
        return cls(
            name=line.name,
            category=line.category,
            amount=Money(line.amount),
            reason=_reason(line.category, english),
        )


@strawberry.type(
    description="预结算: the split `pay` would make now with this authorization, computed by "
    "the same rules without paying (R13–R18). `pay` decides: a payment in between can change it."
)
class PaymentPreview:
    bill_id: strawberry.ID = strawberry.field(description="The bill.")
    authorization_id: strawberry.ID = strawberry.field(description="The authorization.")
    authorizer: Person = strawberry.field(description="Whose family money would pay (masked).")
    medfee_sumamt: Money = strawberry.field(description="medfee_sumamt 医疗费总额.")
    hifp_pay: Money = strawberry.field(description="hifp_pay 统筹基金支付, as billed (R18).")
    psn_part_amt: Money = strawberry.field(
        description="psn_part_amt 个人负担: the total less the pooled fund."
    )
    acct_mulaid_pay: Money = strawberry.field(
        description="acct_mulaid_pay: what family money would pay."
    )
    psn_cash_pay: Money = strawberry.field(
        description="psn_cash_pay: what the patient would still pay in cash."
    )
    excluded_amount: Money = strawberry.field(
        description="The lines family money may not pay (R15), SELF_PAY lines included."
    )
    excluded_lines: list[ExcludedLine] = strawberry.field(
        description="Those lines, each with its reason."
    )
    remaining_quota: Money = strawberry.field(description="The quota left before paying.")
    remaining_after: Money = strawberry.field(description="The quota left after paying.")
    notes: list[str] = strawberry.field(
        description="The split in plain sentences, in the caller's language."
    )

    @classmethod
    def of(cls, found: queries.PaymentPreview, info: Info) -> PaymentPreview:
        english = info.context.language == "en"
        bill, cover = found.bill, found.cover
        return cls(
            bill_id=strawberry.ID(str(bill.id)),
            authorization_id=strawberry.ID(str(found.authorization.id)),
            authorizer=Person.of(found.authorization.authorizer, info),
            medfee_sumamt=Money(bill.medfee_sumamt),
            hifp_pay=Money(bill.hifp_pay),
            psn_part_amt=Money(cover.personal_share),
            acct_mulaid_pay=Money(found.family),
            psn_cash_pay=Money(found.cash),
            excluded_amount=Money(cover.excluded_amount),
            excluded_lines=[ExcludedLine.of(line, english) for line in found.excluded_lines],
            remaining_quota=Money(found.remaining_quota),
            remaining_after=Money(found.remaining_quota - found.family),
            notes=_notes(found, english),
        )


@strawberry.type(description="The result of `paymentPreview`.")
class PaymentPreviewPayload:
    preview: PaymentPreview | None = strawberry.field(
        description="The split; null when `pay` would refuse."
    )
    errors: list[UserError] = strawberry.field(
        description="What `pay` would refuse with now (same codes); empty if it would pay."
    )


@strawberry.type
class PaymentPreviewQuery:
    @strawberry.field(
        description="预结算: the patient sees how `pay` would split a bill with one of their "
        "authorizations (family money, cash, excluded lines and why) before confirming. "
        "Read-only; the same rules and refusals as `pay`."
    )
    async def payment_preview(
        self,
        info: Info,
        bill_id: Annotated[strawberry.ID, strawberry.argument(description="The bill naming you.")],
        authorization_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="An authorization granted to you (authorizationsReceived)."
            ),
        ],
    ) -> PaymentPreviewPayload:
        async def run() -> queries.PaymentPreview:
            return await queries.payment_preview(
                member_id=permissions.verified_member(info),
                bill_id=parse_id(bill_id, "billId"),
                authorization_id=parse_id(authorization_id, "authorizationId"),
                policies=info.context.services.policies,
                now=info.context.now(),
            )

        found, errors = await attempt(run, info.context.language)
        preview = PaymentPreview.of(found, info) if found else None
        return PaymentPreviewPayload(preview=preview, errors=errors)
