"""The service hall 医保服务大厅 over GraphQL: an agent acts for the member at the window.

Every operation takes the `verifyId` of the in-person verification the agent started for
that member (`hallStartFaceVerification`) and a reason; the domain does the rest
(gongji.hall.service).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry
from tortoise.queryset import QuerySet

from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.errors import UserError, attempt, parse_id
from gongji.api.families import (
    ACCEPT_NOTICE,
    NOTICE_VERSION,
    CreateFamilyGroupInput,
    FamilyGroup,
    FamilyGroupPayload,
    Invitation,
    InvitationPayload,
    InviteFamilyMemberInput,
    notice_signature,
)
from gongji.api.members import Person
from gongji.api.pagination import AFTER_DESCRIPTION, FIRST_DESCRIPTION, Connection, connection
from gongji.api.records import UsageRecordConnection, UsageRecordFilter
from gongji.api.records import connection as records_connection
from gongji.api.scalars import Money
from gongji.api.wallets import (
    Authorization,
    AuthorizationPayload,
    Wallet,
    to_fen,
    wallet_of,
)
from gongji.families import queries as family_queries
from gongji.families import service as families
from gongji.families.models import FamilyGroup as GroupRow
from gongji.families.models import Invitation as InvitationRow
from gongji.families.rules import Relationship
from gongji.hall import service
from gongji.hall.models import HallVerification
from gongji.hall.rules import HALL_VERIFICATION_TTL
from gongji.members.models import Member
from gongji.pagination import Keyset, page
from gongji.records.rules import RecordFilter
from gongji.records.service import Viewer
from gongji.wallets import queries as wallet_queries
from gongji.wallets.models import Authorization as AuthorizationRow

KEYSET = Keyset()
MINUTES = HALL_VERIFICATION_TTL.seconds // 60
VERIFY = Annotated[
    str,
    strawberry.argument(
        description=f"From `hallStartFaceVerification` for the member at the window, passed; "
        f"it stands for {MINUTES} minutes."
    ),
]
REASON = Annotated[
    str, strawberry.argument(description="Why the agent acts, a sentence; kept on record.")
]
ERRORS = "Typed refusals; empty on success."


@strawberry.type(description="The result of `hallStartFaceVerification`.")
class HallVerificationPayload:
    verify_id: str | None = strawberry.field(
        description="Run the camera with it at the window, then pass it to every hall "
        "operation for this member."
    )
    expires_at: datetime.datetime | None = strawberry.field(
        description="The verification stands until then (HALL_VERIFICATION_EXPIRED after it)."
    )
    member: Person | None = strawberry.field(description="Who is being verified, masked.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(
    description="自助终端机 / 窗口 (R27): what the member verified at the window may see, "
    "read by the agent for them; every lookup is audited."
)
class HallWindow:
    member: Person = strawberry.field(description="The member at the window, masked.")
    wallet: Wallet = strawberry.field(description="Personal account and wallet balances.")
    family_groups: list[FamilyGroup] = strawberry.field(
        description="The member's family groups (with members' ids, for the hall operations)."
    )
    member_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Authorizations the member granted, newest first.")
    async def authorizations_granted(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> Connection[Authorization]:
        return await _authorizations(wallet_queries.granted_by(self.member_id), first, after, info)

    @strawberry.field(description="Authorizations the member received, newest first.")
    async def authorizations_received(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> Connection[Authorization]:
        return await _authorizations(wallet_queries.received_by(self.member_id), first, after, info)

    @strawberry.field(description="Invitations the member sent or received, newest first.")
    async def invitations(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> Connection[Invitation]:
        query = family_queries.invitations_for(self.member_id, None, info.context.now())
        found = await page(query, first, after)
        return connection(
            ((KEYSET.cursor_of(row), Invitation.of(row, info)) for row in found.rows),
            found.has_next,
            query.count,
        )

    @strawberry.field(
        description="医保使用记录: the member's usage detail, as they would see it (R19, R27)."
    )
    async def usage_records(
        self,
        info: Info,
        filter: Annotated[
            UsageRecordFilter | None,
            strawberry.argument(description="Narrows the list; omit it for everything."),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = 20,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> UsageRecordConnection:
        f = filter.to_domain() if filter else RecordFilter()
        return await records_connection(Viewer(member_id=self.member_id), f, first, after, info)


async def _authorizations(
    query: QuerySet[AuthorizationRow], first: int | None, after: str | None, info: Info
) -> Connection[Authorization]:
    found = await page(query, first, after)
    return connection(
        ((KEYSET.cursor_of(row), Authorization.loaded(row, info)) for row in found.rows),
        found.has_next,
        query.count,
    )


async def _group_payload(run: Callable[[], Awaitable[GroupRow]], info: Info) -> FamilyGroupPayload:
    group, errors = await attempt(run, info.context.language)
    return FamilyGroupPayload(group=FamilyGroup.of(group) if group else None, errors=errors)


async def _authorization_payload(
    run: Callable[[], Awaitable[AuthorizationRow]], info: Info
) -> AuthorizationPayload:
    row, errors = await attempt(run, info.context.language)
    return AuthorizationPayload(
        authorization=await Authorization.of(row, info) if row else None, errors=errors
    )


async def _at_window(info: Info, verify_id: str, reason: str) -> service.Presence:
    context = info.context
    return await service.presence(
        agent=permissions.agent(info),
        verify_id=verify_id,
        reason=reason,
        face=context.services.face,
        now=context.now(),
    )


@strawberry.type
class HallQuery:
    @strawberry.field(
        description="自助终端机 / 窗口 (R27): service-hall staff show the member verified at "
        "the window their balance and usage detail; audited. A refusal is a top-level error "
        "with `extensions.code`."
    )
    async def hall_window(self, info: Info, verify_id: VERIFY, reason: REASON) -> HallWindow:
        at = await _at_window(info, verify_id, reason)
        member = await service.window_lookup(at=at, now=info.context.now(), detail={})
        return HallWindow(
            member=Person.of(member, info),
            wallet=await wallet_of(member.id, info),
            family_groups=[FamilyGroup.of(g) for g in await families.groups_of(member.id)],
            member_id=member.id,
        )


@strawberry.type
class HallMutation:
    @strawberry.mutation(
        description="Service-hall staff start a face verification for the member at the "
        f"window (到厅核验), within their scope and with a reason; it stands {MINUTES} minutes."
    )
    async def hall_start_face_verification(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(description="Full name as on the ID card.")],
        id_number: Annotated[
            str, strawberry.argument(description="18-character resident ID number (GB 11643).")
        ],
        reason: REASON,
    ) -> HallVerificationPayload:
        context = info.context

        async def run() -> tuple[HallVerification, Member]:
            row = await service.start_verification(
                agent=permissions.agent(info),
                name=name,
                id_number=id_number,
                reason=reason,
                face=context.services.face,
                now=context.now(),
            )
            return row, await Member.get(id=row.member_id)

        result, errors = await attempt(run, context.language)
        if result is None:
            return HallVerificationPayload(
                verify_id=None, expires_at=None, member=None, errors=errors
            )
        row, member = result
        return HallVerificationPayload(
            verify_id=row.verify_id,
            expires_at=row.expires_at,
            member=Person.of(member, info),
            errors=[],
        )

    @strawberry.mutation(
        description="At the window, for the verified member: create a family group; they "
        "accept the commitment letter (R6)."
    )
    async def hall_create_family_group(
        self, info: Info, verify_id: VERIFY, reason: REASON, input: CreateFamilyGroupInput
    ) -> FamilyGroupPayload:
        async def run() -> GroupRow:
            return await service.create_family_group(
                at=await _at_window(info, verify_id, reason),
                name=input.name,
                accept_commitment=input.accept_commitment,
                commitment_version=input.commitment_version,
                policies=info.context.services.policies,
                now=info.context.now(),
            )

        return await _group_payload(run, info)

    @strawberry.mutation(
        description="At the window, for the verified member: invite a relative into their "
        "group (R2–R5, R25). The in-person verification stands for theirs (R24)."
    )
    async def hall_invite_family_member(
        self, info: Info, verify_id: VERIFY, reason: REASON, input: InviteFamilyMemberInput
    ) -> InvitationPayload:
        async def run() -> InvitationRow:
            return await service.invite_family_member(
                at=await _at_window(info, verify_id, reason),
                group_id=parse_id(input.group_id, "groupId"),
                name=input.name,
                id_number=input.id_number,
                relationship=Relationship(input.relationship),
                proof_material=input.proof_material,
                notice=input.notice(),
                policies=info.context.services.policies,
                now=info.context.now(),
            )

        row, errors = await attempt(run, info.context.language)
        if row is None:
            return InvitationPayload(invitation=None, errors=errors)
        await row.fetch_related("group", "inviter", "invitee")
        return InvitationPayload(invitation=Invitation.of(row, info), errors=errors)

    @strawberry.mutation(
        description="At the window, for the verified invitee: accept an invitation; the "
        "in-person verification stands for theirs (R4)."
    )
    async def hall_accept_invitation(
        self,
        info: Info,
        verify_id: VERIFY,
        reason: REASON,
        invitation_id: strawberry.ID,
        accept_notice: ACCEPT_NOTICE = False,
        notice_version: NOTICE_VERSION = None,
    ) -> FamilyGroupPayload:
        async def run() -> GroupRow:
            membership = await service.accept_invitation(
                at=await _at_window(info, verify_id, reason),
                invitation_id=parse_id(invitation_id, "invitationId"),
                face=info.context.services.face,
                policies=info.context.services.policies,
                now=info.context.now(),
                notice=notice_signature(accept_notice, notice_version),
            )
            return await GroupRow.get(memberships__id=membership.id)

        return await _group_payload(run, info)

    @strawberry.mutation(
        description="At the window, for the verified authorizer: authorize a relative in "
        "their family group to spend a quota (R1–R3, R11)."
    )
    async def hall_authorize_family_member(
        self,
        info: Info,
        verify_id: VERIFY,
        reason: REASON,
        relative_id: strawberry.ID,
        quota: Money,
    ) -> AuthorizationPayload:
        async def run() -> AuthorizationRow:
            return await service.authorize(
                at=await _at_window(info, verify_id, reason),
                relative_id=parse_id(relative_id, "relativeId"),
                quota=to_fen(quota, "quota"),
                policies=info.context.services.policies,
                now=info.context.now(),
            )

        return await _authorization_payload(run, info)

    @strawberry.mutation(
        description="At the window, for the verified authorizer: raise or lower a quota, "
        "never below what is spent (R11)."
    )
    async def hall_change_authorization(
        self,
        info: Info,
        verify_id: VERIFY,
        reason: REASON,
        authorization_id: strawberry.ID,
        quota: Money,
    ) -> AuthorizationPayload:
        async def run() -> AuthorizationRow:
            return await service.change_authorization(
                at=await _at_window(info, verify_id, reason),
                authorization_id=parse_id(authorization_id, "authorizationId"),
                quota=to_fen(quota, "quota"),
                now=info.context.now(),
            )

        return await _authorization_payload(run, info)

    @strawberry.mutation(
        description="At the window, for the verified member (either side): end an "
        "authorization (解绑); the unspent quota returns (R9, R11)."
    )
    async def hall_revoke_authorization(
        self, info: Info, verify_id: VERIFY, reason: REASON, authorization_id: strawberry.ID
    ) -> AuthorizationPayload:
        async def run() -> AuthorizationRow:
            return await service.revoke_authorization(
                at=await _at_window(info, verify_id, reason),
                authorization_id=parse_id(authorization_id, "authorizationId"),
                now=info.context.now(),
            )

        return await _authorization_payload(run, info)
