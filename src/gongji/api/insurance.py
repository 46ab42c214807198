"""Commercial health insurance premiums from the wallet over GraphQL (R16)."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from gongji import pagination
from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.errors import UserError, attempt, parse_id
from gongji.api.members import Person
from gongji.api.pagination import AFTER_DESCRIPTION, FIRST_DESCRIPTION, Connection, connection
from gongji.api.scalars import Money
from gongji.api.throttling import throttled
from gongji.api.wallets import to_fen
from gongji.insurance import service
from gongji.insurance.models import CommercialPremium as PremiumRow
from gongji.insurance.models import Insurer as InsurerRow
from gongji.pagination import Keyset
from gongji.throttle.policy import Operation

KEYSET = Keyset()


@strawberry.type(description="商业健康保险公司: an insurer registered by an operator (R16).")
class Insurer:
    code: str = strawberry.field(description="Send it as insurerCode.")
    name: str = strawberry.field(description="The insurer's name.")


@strawberry.type(description="A commercial health insurance premium paid from the wallet (R16).")
class CommercialPremium:
    id: strawberry.ID = strawberry.field(description="The premium payment's id.")
    insured: Person = strawberry.field(description="Whose policy it pays.")
    insurer: Insurer = strawberry.field(description="Paid to.")
    order_number: str = strawberry.field(description="The insurer's premium order number.")
    amount: Money = strawberry.field(description="Paid from the wallet.")
    created_at: datetime.datetime = strawberry.field(description="When.")


@strawberry.type(description="The result of `payCommercialInsurancePremium`.")
class CommercialPremiumPayload:
    premium: CommercialPremium | None = strawberry.field(
        description="The payment; null if refused."
    )
    replayed: bool = strawberry.field(description="A retry: the first result, nothing moved.")
    errors: list[UserError] = strawberry.field(description="Typed refusals; empty on success.")


@strawberry.input(description="Pay a commercial health insurance premium from the wallet (R16).")
class PayCommercialInsurancePremiumInput:
    relative_id: strawberry.ID = strawberry.field(
        description="Whose policy: yourself (your own Person.id) or a relative in your group."
    )
    insurer_code: str = strawberry.field(description="A registered insurer (`insurers`).")
    order_number: str = strawberry.field(
        description="The insurer's premium order number; one payment per order."
    )
    amount: Money = strawberry.field(description='In yuan, like "300.00".')
    idempotency_key: str = strawberry.field(
        description="8–80 characters, unique per caller: a retry returns the first result."
    )


async def _none() -> int:
    return 0


@strawberry.type
class InsuranceQuery:
    @strawberry.field(
        description="Public. Commercial health insurers premiums may be paid to, by code (R16)."
    )
    async def insurers(
        self,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> Connection[Insurer]:
        query = InsurerRow.filter(active=True)
        found = await pagination.page(query, first, after)
        return connection(
            ((KEYSET.cursor_of(r), Insurer(code=r.code, name=r.name)) for r in found.rows),
            found.has_next,
            query.count,
        )


@strawberry.type
class InsuranceMutation:
    @strawberry.mutation(
        description="Pay your own or a relative's commercial health insurance premium to a "
        "registered insurer from the wallet, where your region allows it (R16). Idempotent."
    )
    async def pay_commercial_insurance_premium(
        self, info: Info, input: PayCommercialInsurancePremiumInput
    ) -> CommercialPremiumPayload:
        async def run() -> tuple[PremiumRow, bool]:
            return await service.pay_commercial_premium(
                payer_id=permissions.verified_member(info),
                insured_id=parse_id(input.relative_id, "relativeId"),
                insurer_code=input.insurer_code,
                order_number=input.order_number,
                amount=to_fen(input.amount, "amount"),
                idempotency_key=input.idempotency_key,
                policies=info.context.services.policies,
                now=info.context.now(),
            )

        result, errors = await attempt(
            throttled(info, Operation.PAY_RESIDENT_PREMIUM, run), info.context.language
        )
        if result is None:
            return CommercialPremiumPayload(premium=None, replayed=False, errors=errors)
        row, replayed = result
        await row.fetch_related("insured", "insurer")
        return CommercialPremiumPayload(
            premium=CommercialPremium(
                id=strawberry.ID(str(row.id)),
                insured=Person.of(row.insured, info),
                insurer=Insurer(code=row.insurer.code, name=row.insurer.name),
                order_number=row.order_number,
                amount=Money(row.amount),
                created_at=row.created_at,
            ),
            replayed=replayed,
            errors=[],
        )
