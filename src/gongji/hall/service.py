"""The service hall acts for the elderly (seed 001, #10.4).

An agent verifies the member standing at the window (a face verification the agent starts
for that member), then does for them what they could do in the app. Each act is the
member's own use case with an `ActingAgent`: one rule book, and the act records both.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from gongji.audit import service as audit
from gongji.errors import DomainError, ErrorCode
from gongji.families import service as families
from gongji.families.models import FamilyGroup, Invitation, Membership
from gongji.families.rules import NoticeSignature, Relationship
from gongji.hall import rules
from gongji.hall.models import HallVerification
from gongji.identity.face import CertInfo, FaceProvider
from gongji.identity.models import FaceVerificationStatus
from gongji.identity.principals import ActingAgent, AgentPrincipal
from gongji.identity.rules import check_agent_reason, check_agent_scope
from gongji.members import queries as members
from gongji.members.models import Member
from gongji.regions.policy import PolicyBook
from gongji.wallets import service as wallets
from gongji.wallets.models import Authorization


async def start_verification(
    *,
    agent: AgentPrincipal,
    name: str,
    id_number: str,
    reason: str,
    face: FaceProvider,
    now: datetime,
) -> HallVerification:
    """到厅核验, step 1: the agent starts a face verification for the member at the window."""
    reason = check_agent_reason(reason)
    member = await members.find(id_number, name=name)
    if member is None:
        raise DomainError(ErrorCode.MEMBER_NOT_FOUND, "idNumber")
    check_agent_scope(agent.office_region, agent.scope, (member.insured_region,))
    out_seq_no = uuid.uuid4().hex
    verify_id = await face.get_verify_id(
        out_seq_no, CertInfo(member.name, member.id_number), rules.agent_openid(agent.agent_id)
    )
    row = await HallVerification.create(
        verify_id=verify_id,
        out_seq_no=out_seq_no,
        agent_id=agent.agent_id,
        member=member,
        status=FaceVerificationStatus.STARTED,
        reason=reason,
        created_at=now,
        expires_at=now + rules.HALL_VERIFICATION_TTL,
    )
    await audit.record(
        at=now,
        actor_kind="agent",
        actor_id=agent.agent_id,
        action="hall.verify",
        subject_id=row.id,
        reason=reason,
        on_behalf_of=member.id,
    )
    return row


@dataclass(frozen=True)
class Presence:
    """The member verified at this agent's window, and the act's reason."""

    member: Member
    acting: ActingAgent


async def presence(
    *, agent: AgentPrincipal, verify_id: str, reason: str, face: FaceProvider, now: datetime
) -> Presence:
    """Step 2, before every act: the verification this agent started passed, still stands,
    and its member is insured within the agent's scope. Asks the provider once."""
    reason = check_agent_reason(reason)
    row = await HallVerification.get_or_none(
        verify_id=verify_id, agent_id=agent.agent_id
    ).select_related("member")
    if row is None:
        raise DomainError(ErrorCode.HALL_VERIFICATION_REQUIRED, rules.VERIFY_FIELD)
    rules.check_usable(row.status, row.expires_at, now)
    member = row.member
    check_agent_scope(agent.office_region, agent.scope, (member.insured_region,))
    if row.status is FaceVerificationStatus.STARTED:
        passed = await face.passed(
            row.verify_id,
            row.out_seq_no,
            CertInfo(member.name, member.id_number),
            rules.agent_openid(agent.agent_id),
        )
        status = FaceVerificationStatus.PASSED if passed else FaceVerificationStatus.FAILED
        await HallVerification.filter(id=row.id, status=FaceVerificationStatus.STARTED).update(
            status=status, passed_at=now if passed else None
        )
        if not passed:
            raise DomainError(ErrorCode.FACE_VERIFICATION_FAILED, rules.VERIFY_FIELD)
    return Presence(member, ActingAgent(agent.agent_id, reason, row.id))


async def create_family_group(
    *,
    at: Presence,
    name: str,
    accept_commitment: bool,
    commitment_version: str,
    policies: PolicyBook,
    now: datetime,
) -> FamilyGroup:
    return await families.create_family_group(
        member_id=at.member.id,
        name=name,
        accept_commitment=accept_commitment,
        commitment_version=commitment_version,
        policies=policies,
        now=now,
        acting=at.acting,
    )


async def invite_family_member(
    *,
    at: Presence,
    group_id: uuid.UUID,
    name: str,
    id_number: str,
    relationship: Relationship,
    proof_material: str,
    notice: NoticeSignature | None,
    policies: PolicyBook,
    now: datetime,
) -> Invitation:
    return await families.invite_family_member(
        member_id=at.member.id,
        group_id=group_id,
        name=name,
        id_number=id_number,
        relationship=relationship,
        proof_material=proof_material,
        policies=policies,
        now=now,
        notice=notice,
        acting=at.acting,
    )


async def accept_invitation(
    *,
    at: Presence,
    invitation_id: uuid.UUID,
    face: FaceProvider,
    policies: PolicyBook,
    now: datetime,
    notice: NoticeSignature | None = None,
) -> Membership:
    """The invitee, verified in person, accepts: that verification stands for R4's; the
    family-member notice is read to them and agreed at the window where the region asks."""
    return await families.accept_invitation(
        principal=None,
        invitation_id=invitation_id,
        verify_id=None,
        face=face,
        policies=policies,
        now=now,
        acting=(at.member.id, at.acting),
        notice=notice,
    )


async def authorize(
    *, at: Presence, relative_id: uuid.UUID, quota: int, policies: PolicyBook, now: datetime
) -> Authorization:
    return await wallets.authorize(
        authorizer_id=at.member.id,
        relative_id=relative_id,
        quota=quota,
        policies=policies,
        now=now,
        acting=at.acting,
    )


async def change_authorization(
    *, at: Presence, authorization_id: uuid.UUID, quota: int, now: datetime
) -> Authorization:
    return await wallets.change_authorization(
        member_id=at.member.id,
        authorization_id=authorization_id,
        quota=quota,
        now=now,
        acting=at.acting,
    )


async def revoke_authorization(
    *, at: Presence, authorization_id: uuid.UUID, now: datetime
) -> Authorization:
    return await wallets.revoke_authorization(
        member_id=at.member.id, authorization_id=authorization_id, now=now, acting=at.acting
    )


async def window_lookup(*, at: Presence, now: datetime, detail: dict[str, object]) -> Member:
    """自助终端机 / 窗口 (R27): balance and usage detail for the member verified here; audited."""
    await audit.record(
        at=now,
        actor_kind="agent",
        actor_id=at.acting.agent_id,
        action="hall.window_read",
        subject_id=at.member.id,
        reason=at.acting.reason,
        detail={**detail, "verification": str(at.acting.verification_id)},
        on_behalf_of=at.member.id,
    )
    return at.member
