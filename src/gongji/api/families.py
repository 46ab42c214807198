"""Family groups over GraphQL: thin resolvers around gongji.families.service."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

import strawberry

from gongji import pagination
from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.enums import InvitationStatus, MembershipRole, Relationship
from gongji.api.errors import UserError, attempt, parse_id
from gongji.api.members import Person
from gongji.api.pagination import AFTER_DESCRIPTION, FIRST_DESCRIPTION, Connection, connection
from gongji.api.throttling import throttled
from gongji.clock import china_date
from gongji.families import queries, rules, service
from gongji.families.models import FamilyGroup as GroupRow
from gongji.families.models import Invitation as InvitationRow
from gongji.members.rules import age_on, can_share_own_account, mask_id_number
from gongji.pagination import Keyset
from gongji.throttle.policy import Operation

KEYSET = Keyset()


@strawberry.type(description="A member of a family group; every member sees the others (R8).")
class FamilyMember:
    person: Person = strawberry.field(description="Who, masked.")
    role: MembershipRole = strawberry.field(
        description="Creator or relative."
    )
    relationship: Relationship | None = strawberry.field(
        description="Relationship to the creator; null for the creator."
    )
    joined_at: datetime.datetime = strawberry.field(description="When they joined.")
    authorizable: bool = strawberry.field(
        description="The caller may authorize this member (authorizeFamilyMember): the caller "
        "has a personal account (R1), and the group settles a relationship the caller's region "
        "allows (R3). False for the caller themself."
    )


@strawberry.type(description="家庭共济组: a family group; its members see each other (R8).")
class FamilyGroup:
    id: strawberry.ID = strawberry.field(description="The group's id.")
    name: str = strawberry.field(description="The name the creator gave it.")
    commitment_version: str = strawberry.field(
        description="The commitment letter version the creator accepted (R6)."
    )
    commitment_accepted_at: datetime.datetime = strawberry.field(
        description="When the creator accepted it (R6)."
    )
    created_at: datetime.datetime = strawberry.field(description="When the group was created.")
    group_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Current members, the creator first.")
    async def members(self, info: Info) -> list[FamilyMember]:
        memberships = await info.context.loaders.memberships_by_group.load(self.group_id)
        me = next((m for m in memberships if m.member.id == permissions.member_or_none(info)), None)
        policy = None
        if me is not None and can_share_own_account(me.member.insurance_type, me.member.status):
            today = china_date(info.context.now())
            policy = info.context.services.policies.policy_for(me.member.insured_region, today)
        return [
            FamilyMember(
                person=Person.of(m.member, info),
                role=m.role,
                relationship=m.relationship,
                joined_at=m.joined_at,
                authorizable=policy is not None
                and me is not None
                and m is not me
                and rules.may_authorize(me.relationship, m.relationship, policy),
            )
            for m in memberships
        ]

    @strawberry.field(
        description="The caller created this group, so may invite, withdraw invitations and "
        "remove relatives (R6); false for every other member."
    )
    async def can_invite(self, info: Info) -> bool:
        me = permissions.member_or_none(info)
        memberships = await info.context.loaders.memberships_by_group.load(self.group_id)
        role = next((m.role for m in memberships if m.member.id == me), None)
        return rules.can_invite(role)

    @classmethod
    def of(cls, group: GroupRow) -> FamilyGroup:
        return cls(
            id=strawberry.ID(str(group.id)),
            name=group.name,
            commitment_version=group.commitment_version,
            commitment_accepted_at=group.commitment_accepted_at,
            created_at=group.created_at,
            group_id=group.id,
        )


@strawberry.type(description="邀请 (R7). Status reads EXPIRED once past expiresAt.")
class Invitation:
    id: strawberry.ID = strawberry.field(description="The invitation's id.")
    group_id: strawberry.ID = strawberry.field(description="The family group it invites to.")
    group_name: str = strawberry.field(description="That group's name.")
    inviter_name: str = strawberry.field(description="Who sent it (the group's creator).")
    invitee_name: str = strawberry.field(description="Who it is for.")
    invitee_id_number: str = strawberry.field(description="The invitee's ID number, masked.")
    relationship: Relationship = strawberry.field(
        description="The invitee's relationship to the inviter."
    )
    status: InvitationStatus = strawberry.field(
        description="Where it stands; EXPIRED once past expiresAt."
    )
    requires_face_verification: bool = strawberry.field(
        description="The invitee is at or over the consent age, so accepting needs a verifyId (R4)."
    )
    sent_by_me: bool = strawberry.field(description="The caller sent it (else received it).")
    created_at: datetime.datetime = strawberry.field(description="When it was sent.")
    expires_at: datetime.datetime = strawberry.field(description="Undecided after this: EXPIRED.")
    decided_at: datetime.datetime | None = strawberry.field(
        description="When it was accepted, declined or revoked."
    )
    notice_version: str | None = strawberry.field(
        description="The family-member notice version the inviter agreed for this binding "
        "(R25); null if none was."
    )
    notice_accepted_at: datetime.datetime | None = strawberry.field(
        description="When the inviter agreed the notice (R25)."
    )
    invitee_notice_version: str | None = strawberry.field(
        description="The notice version the relative agreed when accepting (R25); null if "
        "none was (or not accepted yet)."
    )
    invitee_notice_accepted_at: datetime.datetime | None = strawberry.field(
        description="When the relative agreed the notice (R25)."
    )
    inviter_verified_at: datetime.datetime | None = strawberry.field(
        description="When the inviter's own face verification passed for it (R24); null if "
        "the region did not ask."
    )
    at_service_hall: bool = strawberry.field(
        description="Sent through a service-hall agent for the inviter."
    )

    @classmethod
    def of(cls, row: InvitationRow, info: Info) -> Invitation:
        now = info.context.now()
        policy = info.context.services.policies.policy_for(
            row.inviter.insured_region, china_date(now)
        )
        me = permissions.member_or_none(info)
        return cls(
            id=strawberry.ID(str(row.id)),
            group_id=strawberry.ID(str(row.group.id)),
            group_name=row.group.name,
            inviter_name=row.inviter.name,
            invitee_name=row.invitee.name,
            invitee_id_number=mask_id_number(row.invitee.id_number),
            relationship=row.relationship,
            status=rules.effective_status(row.status, row.expires_at, now),
            requires_face_verification=rules.needs_face_verification(
                age_on(row.invitee.id_number, china_date(now)), policy
            ),
            sent_by_me=row.inviter.id == me,
            created_at=row.created_at,
            expires_at=row.expires_at,
            decided_at=row.decided_at,
            notice_version=row.notice_version,
            notice_accepted_at=row.notice_accepted_at,
            invitee_notice_version=row.invitee_notice_version,
            invitee_notice_accepted_at=row.invitee_notice_accepted_at,
            inviter_verified_at=row.inviter_verified_at,
            at_service_hall=row.agent_id is not None,
        )


ERRORS = "Typed refusals; empty on success."


@strawberry.type(description="The group after a family mutation.")
class FamilyGroupPayload:
    group: FamilyGroup | None = strawberry.field(description="The group; null if refused.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The invitation after an invitation mutation.")
class InvitationPayload:
    invitation: Invitation | None = strawberry.field(description="The invitation; null if refused.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="A new family group (R6).")
class CreateFamilyGroupInput:
    name: str = strawberry.field(description="The group's name, up to 64 characters.")
    accept_commitment: bool = strawberry.field(description="Read and accepted the letter (R6).")
    commitment_version: str = strawberry.field(description="Version from `commitmentLetter`.")


@strawberry.input(description="Invite an insured relative into a group you created (R2–R6).")
class InviteFamilyMemberInput:
    group_id: strawberry.ID = strawberry.field(description="Your family group.")
    name: str = strawberry.field(description="The relative's full name as on the ID card.")
    id_number: str = strawberry.field(description="The relative's 18-character ID number.")
    relationship: Relationship = strawberry.field(
        description="The relative's relationship to you."
    )
    proof_material: str = strawberry.field(
        default="", description="Reference to proof of relationship where the region asks for it."
    )
    accept_notice: bool = strawberry.field(
        default=False,
        description="Read and agreed the family-member notice for this binding (R25); "
        "required where the region asks for it.",
    )
    notice_version: str | None = strawberry.field(
        default=None, description="Version from `familyMemberNotice`, when agreeing it (R25)."
    )
    verify_id: str | None = strawberry.field(
        default=None,
        description="Your own passed face verification (startFaceVerification with your own "
        "name and ID number), where the region asks for it before adding a member (R24).",
    )

    def notice(self) -> rules.NoticeSignature | None:
        return notice_signature(self.accept_notice, self.notice_version)


def notice_signature(accepted: bool, version: str | None) -> rules.NoticeSignature | None:
    """The family-member notice as the caller agreed it, or None if they sent neither."""
    if not accepted and version is None:
        return None
    return rules.NoticeSignature(accepted, version or "")


ACCEPT_NOTICE = Annotated[
    bool,
    strawberry.argument(
        description="The relative read and agreed the family-member notice for this binding "
        "(R25); required where the region asks for it."
    ),
]
NOTICE_VERSION = Annotated[
    str | None,
    strawberry.argument(description="Version from `familyMemberNotice`, when agreeing it (R25)."),
]


async def _none() -> int:
    return 0


async def _invitation_payload(
    info: Info, row: InvitationRow | None, errors: list[UserError]
) -> InvitationPayload:
    if row is None:
        return InvitationPayload(invitation=None, errors=errors)
    await row.fetch_related("group", "inviter", "invitee")
    return InvitationPayload(invitation=Invitation.of(row, info), errors=errors)


@strawberry.type
class FamilyQuery:
    @strawberry.field(description="Family groups the verified caller belongs to (a few at most).")
    async def my_family_groups(self, info: Info) -> list[FamilyGroup]:
        member_id = permissions.member_or_none(info)
        if member_id is None:
            return []
        return [FamilyGroup.of(g) for g in await service.groups_of(member_id)]

    @strawberry.field(
        description="Invitations the verified caller sent or received, newest first; empty "
        "until verified."
    )
    async def my_invitations(
        self,
        info: Info,
        status: Annotated[
            InvitationStatus | None,
            strawberry.argument(description="Only invitations that show this status."),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> Connection[Invitation] | None:
        member_id = permissions.member_or_none(info)
        if member_id is None:
            return connection([], False, _none)
        wanted = InvitationStatus(status) if status else None
        query = queries.invitations_for(member_id, wanted, info.context.now())
        found = await pagination.page(query, first, after)
        return connection(
            ((KEYSET.cursor_of(row), Invitation.of(row, info)) for row in found.rows),
            found.has_next,
            query.count,
        )


@strawberry.type
class FamilyMutation:
    @strawberry.mutation(description="Create a family group; accept the commitment letter (R6).")
    async def create_family_group(
        self, info: Info, input: CreateFamilyGroupInput
    ) -> FamilyGroupPayload:
        context = info.context

        async def run() -> GroupRow:
            return await service.create_family_group(
                member_id=permissions.verified_member(info),
                name=input.name,
                accept_commitment=input.accept_commitment,
                commitment_version=input.commitment_version,
                policies=context.services.policies,
                now=context.now(),
            )

        group, errors = await attempt(run, context.language)
        return FamilyGroupPayload(group=FamilyGroup.of(group) if group else None, errors=errors)

    @strawberry.mutation(
        description="Invite an insured relative (R2–R5). Under the consent age they join at once."
    )
    async def invite_family_member(
        self, info: Info, input: InviteFamilyMemberInput
    ) -> InvitationPayload:
        context = info.context

        async def run() -> InvitationRow:
            return await service.invite_family_member(
                member_id=permissions.verified_member(info),
                group_id=parse_id(input.group_id, "groupId"),
                name=input.name,
                id_number=input.id_number,
                relationship=Relationship(input.relationship),
                proof_material=input.proof_material,
                policies=context.services.policies,
                now=context.now(),
                notice=input.notice(),
                inviter_face=service.InviterFace(
                    permissions.wechat_user(info), input.verify_id, context.services.face
                ),
            )

        row, errors = await attempt(
            throttled(info, Operation.INVITE_FAMILY_MEMBER, run), context.language
        )
        return await _invitation_payload(info, row, errors)

    @strawberry.mutation(
        description="Accept an invitation; verifyId needed from the consent age (R4); "
        "acceptNotice and noticeVersion where the region asks the relative to agree the "
        "family-member notice (R25)."
    )
    async def accept_invitation(
        self,
        info: Info,
        invitation_id: strawberry.ID,
        verify_id: str | None = None,
        accept_notice: ACCEPT_NOTICE = False,
        notice_version: NOTICE_VERSION = None,
    ) -> FamilyGroupPayload:
        context = info.context

        async def run() -> GroupRow:
            membership = await service.accept_invitation(
                principal=permissions.verified_principal(info),
                invitation_id=parse_id(invitation_id, "invitationId"),
                verify_id=verify_id,
                face=context.services.face,
                policies=context.services.policies,
                now=context.now(),
                notice=notice_signature(accept_notice, notice_version),
            )
            return await GroupRow.get(id=membership.group_id)

        group, errors = await attempt(run, context.language)
        return FamilyGroupPayload(group=FamilyGroup.of(group) if group else None, errors=errors)

    @strawberry.mutation(description="Decline an invitation addressed to you.")
    async def decline_invitation(
        self, info: Info, invitation_id: strawberry.ID
    ) -> InvitationPayload:
        async def run() -> InvitationRow:
            return await service.decline_invitation(
                member_id=permissions.verified_member(info),
                invitation_id=parse_id(invitation_id, "invitationId"),
                now=info.context.now(),
            )

        row, errors = await attempt(run, info.context.language)
        return await _invitation_payload(info, row, errors)

    @strawberry.mutation(description="Withdraw a pending invitation you sent.")
    async def revoke_invitation(
        self, info: Info, invitation_id: strawberry.ID
    ) -> InvitationPayload:
        async def run() -> InvitationRow:
            return await service.revoke_invitation(
                member_id=permissions.verified_member(info),
                invitation_id=parse_id(invitation_id, "invitationId"),
                now=info.context.now(),
            )

        row, errors = await attempt(run, info.context.language)
        return await _invitation_payload(info, row, errors)

    @strawberry.mutation(
        description="Leave a group (解绑, R9). The creator leaving dissolves the group."
    )
    async def leave_family_group(self, info: Info, group_id: strawberry.ID) -> FamilyGroupPayload:
        async def run() -> GroupRow:
            return await service.leave_family_group(
                member_id=permissions.verified_member(info),
                group_id=parse_id(group_id, "groupId"),
                now=info.context.now(),
            )

        group, errors = await attempt(run, info.context.language)
        return FamilyGroupPayload(group=FamilyGroup.of(group) if group else None, errors=errors)

    @strawberry.mutation(description="The creator ends a relative's membership (R9).")
    async def remove_family_member(
        self, info: Info, group_id: strawberry.ID, member_id: strawberry.ID
    ) -> FamilyGroupPayload:
        async def run() -> GroupRow:
            return await service.remove_family_member(
                member_id=permissions.verified_member(info),
                group_id=parse_id(group_id, "groupId"),
                removed_member_id=parse_id(member_id, "memberId"),
                now=info.context.now(),
            )

        group, errors = await attempt(run, info.context.language)
        return FamilyGroupPayload(group=FamilyGroup.of(group) if group else None, errors=errors)

    @strawberry.mutation(
        description="Service-hall staff end a binding for a member, with a reason; audited (R9)."
    )
    async def agent_unbind_family_member(
        self, info: Info, group_id: strawberry.ID, id_number: str, reason: str
    ) -> FamilyGroupPayload:
        async def run() -> GroupRow:
            return await service.agent_unbind(
                agent=permissions.agent(info),
                group_id=parse_id(group_id, "groupId"),
                id_number=id_number,
                reason=reason,
                now=info.context.now(),
            )

        group, errors = await attempt(run, info.context.language)
        return FamilyGroupPayload(group=FamilyGroup.of(group) if group else None, errors=errors)
