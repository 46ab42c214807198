"""regionPolicy: what applies to a region on a date, in words a member understands."""

from __future__ import annotations

import datetime

import strawberry

from gongji.api.context import Info
from gongji.api.enums import RelationshipScopeType, RelationshipType, SharingScopeType
from gongji.api.errors import UserError, attempt
from gongji.api.scalars import Money
from gongji.clock import china_date
from gongji.families.rules import Relationship, allowed_relationships
from gongji.regions.policy import RegionPolicy as Policy
from gongji.regions.policy import explain


@strawberry.type(description="Family mutual-aid policy of one region on one date.")
class RegionPolicy:
    region_code: str
    region_name: str
    province_code: str
    province_name: str
    effective_on: datetime.date
    relationship_scope: RelationshipScopeType  # type: ignore[valid-type]
    allowed_relationships: list[RelationshipType]  # type: ignore[valid-type]
    sharing_scope: SharingScopeType  # type: ignore[valid-type]
    sharing_scope_since: datetime.date | None
    consent_age: int
    binding_cap_at_once: int
    binding_cap_lifetime: int
    invitation_expiry_days: int
    excluded_categories: list[str]
    transfer_max_per_day: int
    transfer_max_amount: Money
    transfer_quiet_start: str
    transfer_quiet_end: str
    premium_payment_allowed: bool
    commercial_insurance_allowed: bool
    summary: list[str] = strawberry.field(description="The policy in plain sentences.")

    @classmethod
    def of(cls, policy: Policy, language: str) -> RegionPolicy:
        return cls(
            region_code=policy.region_code,
            region_name=policy.region_name,
            province_code=policy.province_code,
            province_name=policy.province_name,
            effective_on=policy.on,
            relationship_scope=policy.relationship_scope,
            allowed_relationships=_in_order(allowed_relationships(policy.relationship_scope)),
            sharing_scope=policy.sharing_scope,
            sharing_scope_since=(
                None
                if policy.sharing_scope_since == datetime.date.min
                else policy.sharing_scope_since
            ),
            consent_age=policy.consent_age,
            binding_cap_at_once=policy.binding_cap_at_once,
            binding_cap_lifetime=policy.binding_cap_lifetime,
            invitation_expiry_days=policy.invitation_expiry_days,
            excluded_categories=list(policy.excluded_categories),
            transfer_max_per_day=policy.transfer_max_per_day,
            transfer_max_amount=Money(policy.transfer_max_amount_fen),
            transfer_quiet_start=f"{policy.transfer_quiet_start:%H:%M}",
            transfer_quiet_end=f"{policy.transfer_quiet_end:%H:%M}",
            premium_payment_allowed=policy.premium_payment_allowed,
            commercial_insurance_allowed=policy.commercial_insurance_allowed,
            summary=explain(policy, language),
        )


def _in_order(relationships: frozenset[Relationship]) -> list[Relationship]:
    return sorted(relationships, key=lambda r: r.value)


@strawberry.type
class RegionPolicyPayload:
    policy: RegionPolicy | None
    errors: list[UserError]


@strawberry.type(description="承诺书: the creator must accept this version (R6).")
class CommitmentLetter:
    version: str
    text: str


@strawberry.type
class RegionQuery:
    @strawberry.field(description="Public. The policy that applies to a region (default: today).")
    async def region_policy(
        self, info: Info, region_code: str, on: datetime.date | None = None
    ) -> RegionPolicyPayload:
        policies = info.context.services.policies
        day = on or china_date(info.context.now())

        async def run() -> Policy:
            return policies.policy_for(region_code, day)

        policy, errors = await attempt(run, info.context.language)
        return RegionPolicyPayload(
            policy=RegionPolicy.of(policy, info.context.language) if policy else None,
            errors=errors,
        )

    @strawberry.field(description="Public. The current commitment letter 家庭共济承诺书.")
    def commitment_letter(self, info: Info) -> CommitmentLetter:
        policies = info.context.services.policies
        return CommitmentLetter(
            version=policies.commitment_letter_version, text=policies.commitment_letter_text
        )
