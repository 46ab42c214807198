"""regionPolicy: what applies to a region on a date, in words a member understands."""

from __future__ import annotations

import datetime

import strawberry

from gongji import rulebook
from gongji.api.context import Info
from gongji.api.enums import Relationship, RelationshipScope, SharingScope
from gongji.api.errors import UserError, attempt
from gongji.api.scalars import Money
from gongji.clock import china_date
from gongji.families.rules import allowed_relationships
from gongji.regions.policy import RegionPolicy as Policy
from gongji.regions.policy import explain


@strawberry.type(description="Family mutual-aid policy of one region on one date.")
class RegionPolicy:
    region_code: str = strawberry.field(description="The region asked for.")
    region_name: str = strawberry.field(description="Its name.")
    province_code: str = strawberry.field(description="Its province's code.")
    province_name: str = strawberry.field(description="Its province's name.")
    effective_on: datetime.date = strawberry.field(description="The date this policy is for.")
    relationship_scope: RelationshipScope = strawberry.field(
        description="Which relatives may share (R3)."
    )
    allowed_relationships: list[Relationship] = strawberry.field(
        description="The same, as relationships."
    )
    sharing_scope: SharingScope = strawberry.field(
        description="Where family money may be spent (R13)."
    )
    sharing_scope_since: datetime.date | None = strawberry.field(
        description="Since when that scope applies; null if always."
    )
    consent_age: int = strawberry.field(
        description="From this age an invitee accepts with face verification (R4)."
    )
    binding_cap_at_once: int = strawberry.field(description="Most relatives bound at once (R5).")
    binding_cap_lifetime: int = strawberry.field(description="Most bindings ever (R5).")
    invitation_expiry_days: int = strawberry.field(
        description="Days an invitation stays pending (R7)."
    )
    excluded_categories: list[str] = strawberry.field(
        description="Bill item categories family money never pays (R15)."
    )
    transfer_max_per_day: int = strawberry.field(description="Transfers allowed a day (R10).")
    transfer_max_amount: Money = strawberry.field(description="Most per transfer (R10).")
    transfer_quiet_start: str = strawberry.field(
        description="No transfers from this time, HH:MM China time (R10)."
    )
    transfer_quiet_end: str = strawberry.field(
        description="… until this time the next morning (R10)."
    )
    premium_payment_allowed: bool = strawberry.field(
        description="A relative's resident premium may be paid from the wallet (R16)."
    )
    commercial_insurance_allowed: bool = strawberry.field(
        description="Commercial medical insurance may be bought with family money (R16)."
    )
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


@strawberry.type(description="The result of `regionPolicy`.")
class RegionPolicyPayload:
    policy: RegionPolicy | None = strawberry.field(description="The policy; null if refused.")
    errors: list[UserError] = strawberry.field(
        description="Typed refusals (INVALID_REGION); empty on success."
    )


@strawberry.type(description="承诺书: the creator must accept this version (R6).")
class CommitmentLetter:
    version: str = strawberry.field(description="Send it as commitmentVersion.")
    text: str = strawberry.field(description="The letter, in Chinese.")


@strawberry.type(description="家庭成员添加告知书: read and agreed at each binding (R25).")
class FamilyMemberNotice:
    version: str = strawberry.field(description="Send it as noticeVersion.")
    text: str = strawberry.field(description="The notice, in Chinese.")


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

    @strawberry.field(
        description="Public. The current family-member notice 家庭成员添加告知书 (R25)."
    )
    def family_member_notice(self, info: Info) -> FamilyMemberNotice:
        policies = info.context.services.policies
        return FamilyMemberNotice(
            version=policies.family_notice_version, text=policies.family_notice_text
        )


@strawberry.type(description="A rule of family mutual aid; `UserError.rule` names one.")
class Rule:
    id: str = strawberry.field(description="R1 … R30, stable.")
    title: str = strawberry.field(description="A few words.")
    text: str = strawberry.field(description="The rule in one or two sentences.")


@strawberry.type
class RuleQuery:
    @strawberry.field(description="Public. Every rule R1–R30 that `UserError.rule` can name.")
    def rules(self) -> list[Rule]:
        return [Rule(id=r.id, title=r.title, text=r.text) for r in rulebook.RULES]
