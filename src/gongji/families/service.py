"""Family group use cases (R3–R9). Each runs in one transaction; locks make caps hold under load."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from gongji.audit import service as audit
from gongji.clock import china_date
from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.families import rules
from gongji.families.bindings import end_membership as _end_membership
from gongji.families.models import FamilyGroup, Invitation, Membership
from gongji.families.rules import InvitationStatus, MembershipRole, Relationship
from gongji.identity.face import FaceProvider
from gongji.identity.principals import ActingAgent, AgentPrincipal, MemberPrincipal
from gongji.identity.rules import check_agent_reason, check_agent_scope
from gongji.identity.service import confirm_face_verification
from gongji.members import queries as members
from gongji.members.models import Member
from gongji.members.rules import InsuranceStatus, age_on, normalize_id_number
from gongji.notices import service as notices
from gongji.notices.rules import Draft, NoticeKind
from gongji.regions.policy import PolicyBook, RegionPolicy
from gongji.transactions import unit_of_work


async def _active_member(member_id: uuid.UUID, *, lock: bool = False) -> Member:
    query = Member.filter(id=member_id)
    member = await (query.select_for_update() if lock else query).get()
    if member.status is not InsuranceStatus.NORMAL:
        raise DomainError(ErrorCode.MEMBER_NOT_ACTIVE)
    return member


async def _group(group_id: uuid.UUID, *, lock: bool = False) -> FamilyGroup:
    query = FamilyGroup.filter(id=group_id)
    group = await (query.select_for_update() if lock else query).get_or_none()
    if group is None:
        raise DomainError(ErrorCode.NOT_FOUND, "groupId")
    if not group.active:
        raise DomainError(ErrorCode.GROUP_NOT_ACTIVE, "groupId")
    return group


async def create_family_group(
    *,
    member_id: uuid.UUID,
    name: str,
    accept_commitment: bool,
    commitment_version: str,
    policies: PolicyBook,
    now: datetime,
    acting: ActingAgent | None = None,
) -> FamilyGroup:
    """R6: the creator accepts the current commitment letter; when and which is kept.

    `acting`: a service-hall agent does it for the creator at the window (#10.4).
    """
    rules.check_commitment(
        accept_commitment, commitment_version, policies.commitment_letter_version
    )
    name = name.strip()
    if not 1 <= len(name) <= 64:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "name",
            {"reason": bilingual("长度应为1–64个字符", "1–64 characters")},
        )
    async for attempt in unit_of_work():
        async with attempt:
            creator = await _active_member(member_id)
            group = await FamilyGroup.create(
                name=name,
                creator=creator,
                commitment_version=commitment_version,
                commitment_accepted_at=now,
                created_at=now,
                agent_id=acting.agent_id if acting else None,
            )
            await Membership.create(
                group=group,
                member=creator,
                role=MembershipRole.CREATOR,
                joined_at=now,
                agent_id=acting.agent_id if acting else None,
            )
            await audit.member_act(
                at=now,
                member_id=creator.id,
                acting=acting,
                action="family.create",
                subject_id=group.id,
                detail={"commitment_version": commitment_version},
            )
    return group


async def _binding_counts(creator_id: uuid.UUID, now: datetime) -> rules.BindingCounts:
    relatives = Membership.filter(group__creator_id=creator_id, role=MembershipRole.RELATIVE)
    active = await relatives.filter(active=True).count()
    ever = await relatives.count()
    pending = await Invitation.filter(
        group__creator_id=creator_id, status=InvitationStatus.PENDING, expires_at__gt=now
    ).count()
    return rules.BindingCounts(at_once=active + pending, lifetime=ever + pending)


async def _join(
    group: FamilyGroup,
    member: Member,
    relationship: Relationship,
    now: datetime,
    agent_id: uuid.UUID | None = None,
) -> Membership:
    existing = await Membership.get_or_none(group=group, member=member)
    if existing is None:
        return await Membership.create(
            group=group,
            member=member,
            role=MembershipRole.RELATIVE,
            relationship=relationship,
            joined_at=now,
            agent_id=agent_id,
        )
    if existing.active:
        raise DomainError(ErrorCode.ALREADY_MEMBER, "idNumber")
    existing.active, existing.relationship, existing.joined_at, existing.left_at = (
        True,
        relationship,
        now,
        None,
    )
    existing.agent_id = agent_id
    await existing.save()
    return existing


@dataclass(frozen=True)
class InviterFace:
    """The inviter's own face verification before adding a member (R24)."""

    principal: MemberPrincipal
    verify_id: str | None
    face: FaceProvider


async def _inviter_verified(
    creator: Member,
    policy: RegionPolicy,
    inviter_face: InviterFace | None,
    acting: ActingAgent | None,
    now: datetime,
) -> datetime | None:
    """R24: when the inviter's face was verified for this invitation; required by policy."""
    if acting is not None:
        return now  # verified in person at the window
    if inviter_face is None or not inviter_face.verify_id:
        if policy.inviter_face_verification:
            raise DomainError(ErrorCode.INVITER_FACE_VERIFICATION_REQUIRED, "verifyId")
        return None
    verified = await confirm_face_verification(
        principal=inviter_face.principal,
        verify_id=inviter_face.verify_id,
        purpose=f"invite:{creator.id}"[:64],
        face=inviter_face.face,
        now=now,
    )
    if verified.id != creator.id:
        raise DomainError(ErrorCode.FACE_VERIFICATION_FAILED, "verifyId")
    return now


async def invite_family_member(
    *,
    member_id: uuid.UUID,
    group_id: uuid.UUID,
    name: str,
    id_number: str,
    relationship: Relationship,
    proof_material: str,
    policies: PolicyBook,
    now: datetime,
    notice: rules.NoticeSignature | None = None,
    inviter_face: InviterFace | None = None,
    acting: ActingAgent | None = None,
) -> Invitation:
    """R2–R7: invite an insured relative. Under the consent age they join at once (R4).

    R25: the family-member notice read and agreed for this binding is kept with it, and is
    required where the region asks for it. R24: where the region asks, the inviter's own
    face verification comes first (`inviter_face`); at the window (`acting`) the agent's
    in-person verification stands for it.
    """
    normalize_id_number(id_number)  # a malformed number is refused before any lock is taken
    if notice is not None:
        rules.check_notice(notice, policies.family_notice_version)
    try:
        async for attempt in unit_of_work():
            async with attempt:
                creator = await _active_member(member_id, lock=True)  # serializes caps (R5)
                group = await _group(group_id)
                if group.creator_id != creator.id:
                    raise DomainError(ErrorCode.NOT_GROUP_CREATOR, "groupId")
                policy = policies.policy_for(creator.insured_region, china_date(now))
                rules.check_relationship(relationship, policy)
                if policy.family_notice_required and notice is None:
                    raise DomainError(ErrorCode.FAMILY_NOTICE_NOT_ACCEPTED, "acceptNotice")
                verified_at = await _inviter_verified(creator, policy, inviter_face, acting, now)
                invitee = await members.find(id_number, name=name)
                if invitee is None:
                    raise DomainError(ErrorCode.INVITEE_NOT_INSURED, "idNumber")
                if invitee.id == creator.id:
                    raise DomainError(ErrorCode.INVITEE_IS_SELF, "idNumber")
                rules.check_invitee_insured(invitee.status)
                rules.check_relationship_fits_ages(
                    relationship, creator.id_number, invitee.id_number
                )
                if await Membership.exists(group=group, member=invitee, active=True):
                    raise DomainError(ErrorCode.ALREADY_MEMBER, "idNumber")
                slot = rules.pending_slot(group.id, invitee.id)
                await Invitation.filter(pending_slot=slot, expires_at__lte=now).update(
                    status=InvitationStatus.EXPIRED, pending_slot=None
                )
                rules.check_binding_caps(await _binding_counts(creator.id, now), policy)
                joins_directly = not rules.needs_face_verification(
                    age_on(invitee.id_number, china_date(now)), policy
                )
                invitation = await Invitation.create(
                    group=group,
                    inviter=creator,
                    invitee=invitee,
                    relationship=relationship,
                    status=InvitationStatus.ACCEPTED
                    if joins_directly
                    else InvitationStatus.PENDING,
                    pending_slot=None if joins_directly else slot,
                    proof_material=proof_material.strip()[:255],
                    created_at=now,
                    expires_at=now + timedelta(days=policy.invitation_expiry_days),
                    decided_at=now if joins_directly else None,
                    notice_version=notice.version if notice else None,
                    notice_accepted_at=now if notice else None,
                    inviter_verified_at=verified_at,
                    agent_id=acting.agent_id if acting else None,
                )
                if joins_directly:
                    await _join(
                        group, invitee, relationship, now, acting.agent_id if acting else None
                    )
                else:
                    await notices.notify(
                        invitee.id,
                        NoticeKind.INVITATION_RECEIVED,
                        now=now,
                        counterpart=creator.name,
                        group=group.name,
                        invitation_id=str(invitation.id),
                    )
                await audit.member_act(
                    at=now,
                    member_id=creator.id,
                    acting=acting,
                    action="family.invite",
                    subject_id=invitation.id,
                    detail={
                        "relationship": relationship.value,
                        "joined": joins_directly,
                        "notice_version": notice.version if notice else None,
                    },
                )
    except IntegrityError:  # a concurrent identical invitation won the unique pending slot
        raise DomainError(ErrorCode.INVITATION_ALREADY_PENDING, "idNumber") from None
    return invitation


async def _pending_invitation(invitation_id: uuid.UUID, now: datetime) -> Invitation:
    invitation = await Invitation.get_or_none(id=invitation_id).select_related(
        "group", "inviter", "invitee"
    )
    if invitation is None:
        raise DomainError(ErrorCode.NOT_FOUND, "invitationId")
    rules.check_pending(invitation.status, invitation.expires_at, now)
    return invitation


async def _decide(invitation: Invitation, status: InvitationStatus, now: datetime) -> None:
    """Move a pending invitation on; only one concurrent decision can win."""
    changed = await Invitation.filter(id=invitation.id, status=InvitationStatus.PENDING).update(
        status=status, pending_slot=None, decided_at=now
    )
    if changed != 1:
        current = await Invitation.get(id=invitation.id)
        raise rules.not_pending(current.status)
    invitation.status, invitation.decided_at = status, now


async def accept_invitation(
    *,
    principal: MemberPrincipal | None,
    invitation_id: uuid.UUID,
    verify_id: str | None,
    face: FaceProvider,
    policies: PolicyBook,
    now: datetime,
    acting: tuple[uuid.UUID, ActingAgent] | None = None,
    notice: rules.NoticeSignature | None = None,
) -> Membership:
    """R4, R7: the invitee accepts; from the consent age on, with a passed face verification.

    R25: where the region asks for it, the relative too reads and agrees the family-member
    notice; the version is kept with the invitation.

    `acting`: (invitee, agent) at the window: the agent's in-person verification of the
    invitee stands for the face verification.
    """
    invitee_id = acting[0] if acting else principal.member_id if principal else None
    assert invitee_id is not None
    agent = acting[1] if acting else None
    if notice is not None:
        rules.check_notice(notice, policies.family_notice_version)
    try:
        async for attempt in unit_of_work():
            async with attempt:
                invitation = await _pending_invitation(invitation_id, now)
                if invitation.invitee_id != invitee_id:
                    raise DomainError(ErrorCode.NOT_INVITEE, "invitationId")
                invitee = await _active_member(invitee_id)
                group = await _group(invitation.group.id, lock=True)
                creator = await Member.get(created_groups__id=group.id)
                policy = policies.policy_for(creator.insured_region, china_date(now))
                if policy.family_notice_required and notice is None:
                    raise DomainError(ErrorCode.FAMILY_NOTICE_NOT_ACCEPTED, "acceptNotice")
                if agent is None and rules.needs_face_verification(
                    age_on(invitee.id_number, china_date(now)), policy
                ):
                    assert principal is not None
                    if not verify_id:
                        raise DomainError(
                            ErrorCode.FACE_VERIFICATION_REQUIRED,
                            "verifyId",
                            {"age": policy.consent_age},
                        )
                    verified = await confirm_face_verification(
                        principal=principal,
                        verify_id=verify_id,
                        purpose=f"invitation:{invitation.id}",
                        face=face,
                        now=now,
                    )
                    if verified.id != invitee.id:
                        raise DomainError(ErrorCode.FACE_VERIFICATION_FAILED, "verifyId")
                await _decide(invitation, InvitationStatus.ACCEPTED, now)
                agent_id = agent.agent_id if agent else None
                await Invitation.filter(id=invitation.id).update(
                    decided_by_agent_id=agent_id,
                    invitee_notice_version=notice.version if notice else None,
                    invitee_notice_accepted_at=now if notice else None,
                )
                membership = await _join(group, invitee, invitation.relationship, now, agent_id)
                await notices.notify(
                    invitation.inviter.id,
                    NoticeKind.INVITATION_ACCEPTED,
                    now=now,
                    counterpart=invitee.name,
                    group=group.name,
                    invitation_id=str(invitation.id),
                )
                await audit.member_act(
                    at=now,
                    member_id=invitee.id,
                    acting=agent,
                    action="family.accept",
                    subject_id=invitation.id,
                )
    except IntegrityError:  # a concurrent accept created the membership first
        raise DomainError(ErrorCode.ALREADY_MEMBER, "invitationId") from None
    return membership


async def decline_invitation(
    *, member_id: uuid.UUID, invitation_id: uuid.UUID, now: datetime
) -> Invitation:
    async for attempt in unit_of_work():
        async with attempt:
            invitation = await _pending_invitation(invitation_id, now)
            if invitation.invitee_id != member_id:
                raise DomainError(ErrorCode.NOT_INVITEE, "invitationId")
            await _decide(invitation, InvitationStatus.DECLINED, now)
            await notices.notify(
                invitation.inviter.id,
                NoticeKind.INVITATION_DECLINED,
                now=now,
                counterpart=invitation.invitee.name,
                group=invitation.group.name,
                invitation_id=str(invitation.id),
            )
            await audit.record(
                at=now,
                actor_kind="member",
                actor_id=member_id,
                action="family.decline",
                subject_id=invitation.id,
            )
    return invitation


async def revoke_invitation(
    *, member_id: uuid.UUID, invitation_id: uuid.UUID, now: datetime
) -> Invitation:
    async for attempt in unit_of_work():
        async with attempt:
            invitation = await _pending_invitation(invitation_id, now)
            if invitation.inviter_id != member_id:
                raise DomainError(ErrorCode.NOT_GROUP_CREATOR, "invitationId")
            await _decide(invitation, InvitationStatus.REVOKED, now)
            await notices.notify(
                invitation.invitee.id,
                NoticeKind.INVITATION_REVOKED,
                now=now,
                counterpart=invitation.inviter.name,
                group=invitation.group.name,
                invitation_id=str(invitation.id),
            )
            await audit.record(
                at=now,
                actor_kind="member",
                actor_id=member_id,
                action="family.revoke",
                subject_id=invitation.id,
            )
    return invitation


async def expire_invitations(*, now: datetime, limit: int = 500) -> int:
    """R7: pending invitations past their expiry become EXPIRED, and both sides are told.

    Run by `gongji expire-invitations` (e.g. from cron); until then they already read as
    EXPIRED and cannot be accepted. Returns how many expired; a batch of `limit` per call.
    """
    expired = 0
    async for attempt in unit_of_work():
        async with attempt:
            locked = (
                await Invitation.filter(status=InvitationStatus.PENDING, expires_at__lte=now)
                .select_for_update()
                .order_by("expires_at", "id")
                .limit(limit)
                .values_list("id", flat=True)
            )  # PostgreSQL locks no outer join: the names are read after the lock
            overdue = await Invitation.filter(id__in=list(locked)).select_related(
                "group", "inviter", "invitee"
            )
            drafts = []
            for invitation in overdue:
                changed = await Invitation.filter(
                    id=invitation.id, status=InvitationStatus.PENDING
                ).update(status=InvitationStatus.EXPIRED, pending_slot=None)
                if not changed:
                    continue
                common = {"group": invitation.group.name, "invitation_id": str(invitation.id)}
                drafts += [
                    Draft(
                        invitation.inviter.id,
                        NoticeKind.INVITATION_EXPIRED,
                        {"counterpart": invitation.invitee.name, **common},
                    ),
                    Draft(
                        invitation.invitee.id,
                        NoticeKind.INVITATION_EXPIRED,
                        {"counterpart": invitation.inviter.name, **common},
                    ),
                ]
            await notices.notify_all(drafts, now=now)
            expired = len(drafts) // 2
    return expired


async def leave_family_group(
    *, member_id: uuid.UUID, group_id: uuid.UUID, now: datetime
) -> FamilyGroup:
    async for attempt in unit_of_work():
        async with attempt:
            group = await _group(group_id, lock=True)
            await _end_membership(group, member_id, now, f"member:{member_id}")
            await audit.record(
                at=now,
                actor_kind="member",
                actor_id=member_id,
                action="family.leave",
                subject_id=group.id,
            )
    return group


async def remove_family_member(
    *, member_id: uuid.UUID, group_id: uuid.UUID, removed_member_id: uuid.UUID, now: datetime
) -> FamilyGroup:
    async for attempt in unit_of_work():
        async with attempt:
            group = await _group(group_id, lock=True)
            if group.creator_id != member_id:
                raise DomainError(ErrorCode.NOT_GROUP_CREATOR, "groupId")
            if removed_member_id == member_id:
                raise DomainError(ErrorCode.CANNOT_REMOVE_CREATOR, "memberId")
            await _end_membership(group, removed_member_id, now, f"member:{member_id}")
            await audit.record(
                at=now,
                actor_kind="member",
                actor_id=member_id,
                action="family.remove",
                subject_id=removed_member_id,
                detail={"group": str(group.id)},
            )
    return group


async def agent_unbind(
    *, agent: AgentPrincipal, group_id: uuid.UUID, id_number: str, reason: str, now: datetime
) -> FamilyGroup:
    """R9 at the service hall 线下医保大厅: staff end a binding for someone, with a reason.

    Within the agent's scope: the member who leaves, or the group's creator (whose family it
    is), must be insured there.
    """
    reason = check_agent_reason(reason)
    member = await members.find(id_number)
    if member is None:
        raise DomainError(ErrorCode.MEMBER_NOT_FOUND, "idNumber")
    async for attempt in unit_of_work():
        async with attempt:
            group = await _group(group_id, lock=True)
            creator = await Member.get(created_groups__id=group.id)
            check_agent_scope(
                agent.office_region, agent.scope, (member.insured_region, creator.insured_region)
            )
            await _end_membership(group, member.id, now, f"agent:{agent.agent_id}")
            await audit.record(
                at=now,
                actor_kind="agent",
                actor_id=agent.agent_id,
                action="family.agent_unbind",
                subject_id=member.id,
                reason=reason,
                detail={"group": str(group.id)},
            )
    return group


async def groups_of(member_id: uuid.UUID) -> list[FamilyGroup]:
    return await FamilyGroup.filter(
        memberships__member_id=member_id, memberships__active=True, active=True
    ).order_by("created_at")


async def memberships_of(group_ids: list[uuid.UUID]) -> list[Membership]:
    return (
        await Membership.filter(group_id__in=group_ids, active=True)
        .select_related("member")
        .order_by("role", "joined_at", "id")
    )  # creator first
