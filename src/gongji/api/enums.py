"""Domain enums as GraphQL enums (names are the contract)."""

from __future__ import annotations

import strawberry

from gongji.families.rules import InvitationStatus, MembershipRole, Relationship
from gongji.members.rules import InsuranceStatus, InsuranceType
from gongji.regions.policy import RelationshipScope, SharingScope

InsuranceTypeType = strawberry.enum(InsuranceType, name="InsuranceType")
InsuranceStatusType = strawberry.enum(InsuranceStatus, name="InsuranceStatus")
RelationshipType = strawberry.enum(
    Relationship,
    name="Relationship",
    description="Relationship to the group's creator. In-laws are always refused (R3).",
)
InvitationStatusType = strawberry.enum(InvitationStatus, name="InvitationStatus")
MembershipRoleType = strawberry.enum(MembershipRole, name="MembershipRole")
RelationshipScopeType = strawberry.enum(RelationshipScope, name="RelationshipScope")
SharingScopeType = strawberry.enum(SharingScope, name="SharingScope")
