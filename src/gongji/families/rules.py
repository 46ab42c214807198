"""Pure rules for family groups and invitations (R3–R9)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.members.rules import InsuranceStatus, birth_date
from gongji.regions.policy import RegionPolicy, RelationshipScope

COMMITMENT_FIELD = "commitmentVersion"


class Relationship(enum.Enum):
    """The invitee's relationship to the group's creator (关系)."""

    SPOUSE = "spouse"  # 配偶
    PARENT = "parent"  # 父母
    CHILD = "child"  # 子女
    SIBLING = "sibling"  # 兄弟姐妹
    GRANDPARENT = "grandparent"  # 祖父母/外祖父母
    GRANDCHILD = "grandchild"  # 孙子女/外孙子女
    SPOUSE_PARENT = "spouse_parent"  # 配偶的父母 — never (R3)
    OTHER_IN_LAW = "other_in_law"  # 其他姻亲 — never (R3)


CORE = frozenset({Relationship.SPOUSE, Relationship.PARENT, Relationship.CHILD})
NEAR = CORE | {Relationship.SIBLING, Relationship.GRANDPARENT, Relationship.GRANDCHILD}
IN_LAWS = frozenset({Relationship.SPOUSE_PARENT, Relationship.OTHER_IN_LAW})
_OLDER = frozenset({Relationship.PARENT, Relationship.GRANDPARENT})
_YOUNGER = frozenset({Relationship.CHILD, Relationship.GRANDCHILD})


class InvitationStatus(enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"
    EXPIRED = "expired"


class MembershipRole(enum.Enum):
    CREATOR = "creator"
    RELATIVE = "relative"


def allowed_relationships(scope: RelationshipScope) -> frozenset[Relationship]:
    return NEAR if scope is RelationshipScope.NEAR else CORE


def check_relationship(relationship: Relationship, policy: RegionPolicy) -> None:
    """R3: in-laws never; near relatives only where the creator's region allows them."""
    if relationship in IN_LAWS:
        raise DomainError(ErrorCode.RELATIONSHIP_IN_LAW_NOT_ALLOWED, "relationship")
    if relationship not in allowed_relationships(policy.relationship_scope):
        raise DomainError(
            ErrorCode.RELATIONSHIP_NOT_IN_REGION_SCOPE,
            "relationship",
            {"relationship": relationship.value},
        )


def check_relationship_fits_ages(
    relationship: Relationship, inviter_id_number: str, invitee_id_number: str
) -> None:
    """A parent is born before the child: catches a relationship picked by mistake."""
    inviter, invitee = birth_date(inviter_id_number), birth_date(invitee_id_number)
    if (relationship in _OLDER and invitee >= inviter) or (
        relationship in _YOUNGER and invitee <= inviter
    ):
        raise DomainError(ErrorCode.RELATIONSHIP_AGE_IMPLAUSIBLE, "relationship")


def check_invitee_insured(status: InsuranceStatus) -> None:
    """R2: the relative must be insured with normal status."""
    if status is not InsuranceStatus.NORMAL:
        raise DomainError(ErrorCode.INVITEE_NOT_ACTIVE, "idNumber")


def check_commitment(accepted: bool, version: str, current: str) -> None:
    """R6: the creator reads and accepts the current commitment letter."""
    if not accepted:
        raise DomainError(ErrorCode.COMMITMENT_NOT_ACCEPTED, "acceptCommitment")
    if version != current:
        raise DomainError(
            ErrorCode.COMMITMENT_VERSION_OUTDATED, COMMITMENT_FIELD, {"current": current}
        )


NOTICE_FIELD = "noticeVersion"


@dataclass(frozen=True)
class NoticeSignature:
    """家庭成员添加告知书 read and agreed for one binding (R25): which version."""

    accepted: bool
    version: str


def check_notice(notice: NoticeSignature, current: str) -> None:
    """R25: the current family-member notice, read and agreed."""
    if not notice.accepted:
        raise DomainError(ErrorCode.FAMILY_NOTICE_NOT_ACCEPTED, "acceptNotice")
    if notice.version != current:
        raise DomainError(
            ErrorCode.FAMILY_NOTICE_VERSION_OUTDATED, NOTICE_FIELD, {"current": current}
        )


@dataclass(frozen=True)
class BindingCounts:
    """What the creator has bound: now (members + pending) and ever (accepted)."""

    at_once: int
    lifetime: int


def check_binding_caps(counts: BindingCounts, policy: RegionPolicy) -> None:
    """R5: region caps on simultaneous and lifetime bindings, counting this new one."""
    if counts.at_once + 1 > policy.binding_cap_at_once:
        raise DomainError(ErrorCode.BINDING_CAP_REACHED, None, {"cap": policy.binding_cap_at_once})
    if counts.lifetime + 1 > policy.binding_cap_lifetime:
        raise DomainError(
            ErrorCode.LIFETIME_BINDING_CAP_REACHED, None, {"cap": policy.binding_cap_lifetime}
        )


def can_invite(role: MembershipRole | None) -> bool:
    """R6: only the group's creator invites, withdraws invitations and removes relatives."""
    return role is MembershipRole.CREATOR


def needs_face_verification(age: int, policy: RegionPolicy) -> bool:
    """R4: 16 and over accept with face verification; younger children join directly."""
    return age >= policy.consent_age


def effective_status(
    status: InvitationStatus, expires_at: datetime, now: datetime
) -> InvitationStatus:
    """R7: a pending invitation past its expiry is expired, whether or not anyone wrote it."""
    if status is InvitationStatus.PENDING and now >= expires_at:
        return InvitationStatus.EXPIRED
    return status


def check_pending(status: InvitationStatus, expires_at: datetime, now: datetime) -> None:
    current = effective_status(status, expires_at, now)
    if current is InvitationStatus.EXPIRED:
        raise DomainError(ErrorCode.INVITATION_EXPIRED, "invitationId")
    if current is not InvitationStatus.PENDING:
        raise not_pending(current)


_STATUS_ZH = {
    InvitationStatus.PENDING: "待处理",
    InvitationStatus.ACCEPTED: "已接受",
    InvitationStatus.DECLINED: "已拒绝",
    InvitationStatus.REVOKED: "已撤回",
    InvitationStatus.EXPIRED: "已过期",
}


def not_pending(current: InvitationStatus) -> DomainError:
    """The refusal to decide an invitation already decided, its status named in both languages."""
    return DomainError(
        ErrorCode.INVITATION_NOT_PENDING,
        "invitationId",
        {"status": bilingual(_STATUS_ZH[current], current.value)},
    )


def pending_slot(group_id: object, invitee_id: object) -> str:
    """Value of the unique column that allows one pending invitation per invitee per group."""
    return f"{group_id}:{invitee_id}"


_INVERSE = {
    Relationship.SPOUSE: Relationship.SPOUSE,
    Relationship.PARENT: Relationship.CHILD,
    Relationship.CHILD: Relationship.PARENT,
    Relationship.SIBLING: Relationship.SIBLING,
    Relationship.GRANDPARENT: Relationship.GRANDCHILD,
    Relationship.GRANDCHILD: Relationship.GRANDPARENT,
    Relationship.SPOUSE_PARENT: Relationship.OTHER_IN_LAW,
    Relationship.OTHER_IN_LAW: Relationship.OTHER_IN_LAW,
}
R = Relationship
# (a's relationship to the creator, b's relationship to the creator) → b's relationship to a.
# Only pairs that are unambiguous; anything else is unknown and refused.
_THROUGH_CREATOR: dict[tuple[Relationship, Relationship], Relationship] = {
    (R.SPOUSE, R.CHILD): R.CHILD,
    (R.SPOUSE, R.GRANDCHILD): R.GRANDCHILD,
    (R.SPOUSE, R.PARENT): R.SPOUSE_PARENT,
    (R.SPOUSE, R.SIBLING): R.OTHER_IN_LAW,
    (R.SPOUSE, R.GRANDPARENT): R.OTHER_IN_LAW,
    (R.CHILD, R.SPOUSE): R.PARENT,
    (R.CHILD, R.CHILD): R.SIBLING,
    (R.CHILD, R.PARENT): R.GRANDPARENT,
    (R.PARENT, R.CHILD): R.GRANDCHILD,
    (R.PARENT, R.SIBLING): R.CHILD,
    (R.PARENT, R.PARENT): R.SPOUSE,
    (R.PARENT, R.SPOUSE): R.OTHER_IN_LAW,
    (R.SIBLING, R.PARENT): R.PARENT,
    (R.SIBLING, R.SIBLING): R.SIBLING,
    (R.SIBLING, R.GRANDPARENT): R.GRANDPARENT,
    (R.SIBLING, R.SPOUSE): R.OTHER_IN_LAW,
    (R.GRANDPARENT, R.PARENT): R.CHILD,
    (R.GRANDCHILD, R.GRANDCHILD): R.SIBLING,
}


def relationship_between(a: Relationship | None, b: Relationship | None) -> Relationship:
    """b's relationship to a, both given relative to the group's creator (None: the creator).

    Raises RELATIONSHIP_UNKNOWN where the family tree does not settle it.
    """
    if a is None and b is not None:
        return b
    if b is None and a is not None:
        return _INVERSE[a]
    if a is not None and b is not None and (a, b) in _THROUGH_CREATOR:
        return _THROUGH_CREATOR[(a, b)]
    raise DomainError(ErrorCode.RELATIONSHIP_UNKNOWN, "relativeId")


def may_authorize(
    mine: Relationship | None, theirs: Relationship | None, policy: RegionPolicy
) -> bool:
    """R3, R8: the group settles who the other member is to me, and my region allows them.

    Both relationships are to the group's creator (None: the creator); `policy` is mine.
    """
    try:
        check_relationship(relationship_between(mine, theirs), policy)
    except DomainError:
        return False
    return True
