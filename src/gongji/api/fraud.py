"""R21 over GraphQL: the fraud rules, the agents' queue of holds, and their decisions."""

from __future__ import annotations

import datetime

import strawberry

from gongji import pagination
from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.enums import described
from gongji.api.errors import UserError, attempt, parse_id
from gongji.api.pagination import Connection, connection
from gongji.api.scalars import Money
from gongji.api.wallets import ERRORS, Authorization
from gongji.clock import china_date
from gongji.fraud import queries, service
from gongji.fraud.models import AuthorizationHold as HoldRow
from gongji.fraud.models import HoldStatus
from gongji.fraud.rules import FraudRule as FraudRuleRow
from gongji.fraud.rules import RuleKind
from gongji.pagination import Keyset

HOLDS = Keyset(time_field="placed_at")

described(
    HoldStatus,
    name="HoldStatus",
    description="Where a fraud hold stands (R21).",
    values={
        "OPEN": "Payments on the authorization are refused until an agent decides.",
        "RELEASED": "A false positive: payments resumed; the rules forget what came before.",
        "ENDED": "The authorization ended (by an agent, or otherwise); its quota returned.",
    },
)
described(
    RuleKind,
    name="FraudRuleKind",
    description="What a fraud rule looks at (R21; thresholds are region policy).",
    values={
        "PHARMACY_BURST": "More than `count` pharmacy purchases on one authorization within "
        "the window.",
        "MANY_CITIES": "Payments at institutions in `count` or more cities within the window.",
        "LARGE_PROXY_PURCHASE": "A proxy purchase 代购药 paying more than `amount` of family "
        "money.",
        "DRAIN_AFTER_GRANT": "`sharePercent` of a quota of at least `amount` spent within the "
        "window after it was granted or raised.",
    },
)


@strawberry.type(description="A fraud detection rule of a region's policy (R21).")
class FraudRule:
    id: str = strawberry.field(description="The rule id a hold and AUTHORIZATION_ON_HOLD name.")
    kind: RuleKind = strawberry.field(description="What it looks at.")
    description: str = strawberry.field(description="The rule in words, in your language.")
    window_hours: float = strawberry.field(description="How far back it looks; 0: this payment.")
    count: int = strawberry.field(description="The count threshold, where the kind has one.")
    amount: Money = strawberry.field(description="The amount threshold, where it has one.")
    share_percent: int = strawberry.field(description="DRAIN_AFTER_GRANT: share of the quota.")

    @classmethod
    def of(cls, rule: FraudRuleRow, language: str) -> FraudRule:
        return cls(
            id=rule.id,
            kind=rule.kind,
            description=rule.en if language == "en" else rule.zh,
            window_hours=rule.within.total_seconds() / 3600,
            count=rule.count,
            amount=Money(rule.amount_fen),
            share_percent=rule.share_percent,
        )


@strawberry.type(description="冻结: a fraud rule fired on a payment; an agent decides (R21).")
class AuthorizationHold:
    id: strawberry.ID = strawberry.field(description="The hold's id: pass it as holdId.")
    authorization: Authorization = strawberry.field(description="The authorization held.")
    rule_id: str = strawberry.field(description="The first rule that fired.")
    fired_rules: list[str] = strawberry.field(description="Every rule that fired, by id.")
    payment_id: strawberry.ID | None = strawberry.field(
        description="The payment that fired it (it completed)."
    )
    status: HoldStatus = strawberry.field(description="Open, released or ended.")
    placed_at: datetime.datetime = strawberry.field(description="When it was placed.")
    resolved_at: datetime.datetime | None = strawberry.field(
        description="When it was released or ended; null while open."
    )
    reason: str = strawberry.field(description="The agent's reason; empty while open.")

    @classmethod
    def loaded(cls, row: HoldRow, info: Info) -> AuthorizationHold:
        """From a row whose authorization, authorizer and relative are loaded."""
        return cls(
            id=strawberry.ID(str(row.id)),
            authorization=Authorization.loaded(row.authorization, info),
            rule_id=row.rule_id,
            fired_rules=[str(hit["rule"]) for hit in row.fired],
            payment_id=strawberry.ID(str(row.payment_id)) if row.payment_id else None,
            status=row.status,
            placed_at=row.placed_at,
            resolved_at=row.resolved_at,
            reason=row.reason,
        )

    @classmethod
    async def of(cls, row: HoldRow, info: Info) -> AuthorizationHold:
        await row.fetch_related("authorization__authorizer", "authorization__relative")
        return cls.loaded(row, info)


@strawberry.type(description="The hold after an agent's decision.")
class AuthorizationHoldPayload:
    hold: AuthorizationHold | None = strawberry.field(description="The hold; null if refused.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type
class FraudQuery:
    @strawberry.field(description="The fraud rules of a region's policy on a date (R21).")
    def fraud_rules(
        self, info: Info, region_code: str, on: datetime.date | None = None
    ) -> list[FraudRule]:
        day = on or china_date(info.context.now())
        policy = info.context.services.policies.policy_for(region_code, day)
        return [FraudRule.of(rule, info.context.language) for rule in policy.fraud_rules]

    @strawberry.field(
        description="Service-hall agents: holds on authorizations whose authorizer is insured "
        "in your scope, newest first (R21)."
    )
    async def authorization_holds(
        self,
        info: Info,
        status: HoldStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AuthorizationHold]:
        query = queries.holds_for_agent(permissions.agent(info), status)
        found = await pagination.page(query, first, after, HOLDS)
        return connection(
            ((HOLDS.cursor_of(row), AuthorizationHold.loaded(row, info)) for row in found.rows),
            found.has_next,
            query.count,
        )


@strawberry.type
class FraudMutation:
    @strawberry.mutation(
        description="Service-hall agents: a false positive; payments resume, and the rules "
        "look only at payments after now. With a reason; audited (R21)."
    )
    async def release_authorization_hold(
        self, info: Info, hold_id: strawberry.ID, reason: str
    ) -> AuthorizationHoldPayload:
        async def run() -> HoldRow:
            return await service.release_hold(
                agent=permissions.agent(info),
                hold_id=parse_id(hold_id, "holdId"),
                reason=reason,
                now=info.context.now(),
            )

        row, errors = await attempt(run, info.context.language)
        return AuthorizationHoldPayload(
            hold=await AuthorizationHold.of(row, info) if row else None, errors=errors
        )

    @strawberry.mutation(
        description="Service-hall agents: end the held authorization; the unspent quota returns "
        "to the authorizer's wallet. With a reason; audited (R21)."
    )
    async def end_held_authorization(
        self, info: Info, hold_id: strawberry.ID, reason: str
    ) -> AuthorizationHoldPayload:
        async def run() -> HoldRow:
            return await service.end_held_authorization(
                agent=permissions.agent(info),
                hold_id=parse_id(hold_id, "holdId"),
                reason=reason,
                now=info.context.now(),
            )

        row, errors = await attempt(run, info.context.language)
        return AuthorizationHoldPayload(
            hold=await AuthorizationHold.of(row, info) if row else None, errors=errors
        )
