"""Domain enums as GraphQL enums (names are the contract), each value described."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from gongji.families.rules import InvitationStatus, MembershipRole, Relationship
from gongji.members.rules import InsuranceStatus, InsuranceType
from gongji.regions.policy import RelationshipScope, SharingScope

__all__ = [
    "InsuranceStatus",
    "InsuranceType",
    "InvitationStatus",
    "MembershipRole",
    "Relationship",
    "RelationshipScope",
    "SharingScope",
    "described",
]

E = TypeVar("E", bound=enum.Enum)


def described(cls: type[E], *, name: str, description: str, values: Mapping[str, str]) -> type[E]:
    """strawberry.enum with a description for each value, by member name.

    strawberry.enum marks the class itself and returns it: annotate fields with the domain enum.
    """
    wrapped = strawberry.enum(cls, name=name, description=description)
    definition: StrawberryEnumDefinition = vars(wrapped)["__strawberry_definition__"]
    for value in definition.values:
        value.description = values.get(value.name)
    return wrapped


described(
    InsuranceType,
    name="InsuranceType",
    description="参保类型: which basic medical insurance the person is in.",
    values={
        "EMPLOYEE": "职工医保 (insutype 310): has a personal account, so can authorize (R1).",
        "RESIDENT": "城乡居民医保 (insutype 390): can be authorized, never authorize (R1, R2).",
    },
)
described(
    InsuranceStatus,
    name="InsuranceStatus",
    description="参保状态: only NORMAL takes part in family mutual aid (R2, R20).",
    values={
        "NORMAL": "正常参保: insured and paying.",
        "SUSPENDED": "暂停参保: insurance paused; sharing is refused.",
        "TERMINATED": "终止参保: insurance ended or moved away; authorizations ended (R20).",
        "DECEASED": "死亡: every authorization ended; the balance is inherited (R20).",
    },
)
described(
    Relationship,
    name="Relationship",
    description="Relationship to the group's creator (or the authorizer). In-laws are always "
    "refused (R3).",
    values={
        "SPOUSE": "配偶 spouse (core, R3).",
        "PARENT": "父母 parent (core, R3).",
        "CHILD": "子女 child (core, R3).",
        "SIBLING": "兄弟姐妹 sibling: near relative, where the region allows (R3).",
        "GRANDPARENT": "祖父母/外祖父母 grandparent: near relative, where the region allows (R3).",
        "GRANDCHILD": "孙子女/外孙子女 grandchild: near relative, where the region allows (R3).",
        "SPOUSE_PARENT": "配偶的父母 spouse's parent: always refused (R3).",
        "OTHER_IN_LAW": "其他姻亲 any other in-law: always refused (R3).",
    },
)
described(
    InvitationStatus,
    name="InvitationStatus",
    description="Where an invitation stands (R7).",
    values={
        "PENDING": "Sent, not yet decided, not past expiresAt.",
        "ACCEPTED": "The invitee joined the group.",
        "DECLINED": "The invitee said no.",
        "REVOKED": "The inviter withdrew it.",
        "EXPIRED": "Past expiresAt before anyone decided.",
    },
)
described(
    MembershipRole,
    name="MembershipRole",
    description="A member's place in a family group.",
    values={
        "CREATOR": "Created the group, invites and removes relatives (R6); leaving dissolves it.",
        "RELATIVE": "Joined by invitation.",
    },
)
described(
    RelationshipScope,
    name="RelationshipScope",
    description="共济范围: which relatives a region lets share (R3).",
    values={
        "CORE": "Spouse, parents and children.",
        "NEAR": "近亲属: also siblings, grandparents and grandchildren.",
    },
)
described(
    SharingScope,
    name="SharingScope",
    description="Where family money may be spent, against the authorizer's insured region (R13).",
    values={
        "CITY": "Institutions in the authorizer's city (统筹区) only.",
        "PROVINCE": "Institutions anywhere in the authorizer's province.",
        "NATIONWIDE": "Institutions anywhere in mainland China.",
    },
)
