"""Login, token checks, identity verification and staff login."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from gongji.audit import service as audit
from gongji.errors import DomainError, ErrorCode
from gongji.identity import credentials
from gongji.identity.face import CertInfo, FaceProvider
from gongji.identity.models import (
    AccessToken,
    Agent,
    FaceVerification,
    FaceVerificationStatus,
    TokenKind,
    WechatUser,
)
from gongji.identity.principals import (
    AgentPrincipal,
    InstitutionPrincipal,
    MemberPrincipal,
    Principal,
)
from gongji.identity.rules import AgentScope
from gongji.identity.wechat import CodeToSession
from gongji.institutions import queries as institutions
from gongji.institutions import rules as institution_rules
from gongji.institutions.models import ApiKey
from gongji.members import queries as members
from gongji.members.models import Member
from gongji.regions.code import RegionCode
from gongji.transactions import atomic, unit_of_work

FACE_VERIFICATION_TTL = timedelta(hours=1)
AGENT_SESSION_TTL = timedelta(hours=8)
# scrypt off the event loop, one at a time: a burst of staff logins queues here instead of
# taking every core from the requests around it.
_PASSWORD_CHECKS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="password-check")


@dataclass(frozen=True)
class Session:
    """A bearer token issued at login; only its hash is stored."""

    token: str
    expires_at: datetime
    verified: bool  # linked to an insured member (staff: always)


async def login(*, code: str, wechat: CodeToSession, now: datetime, ttl: timedelta) -> Session:
    """login(code): the mini-program code becomes our own bearer token.

    `verified` says whether this WeChat user is linked to an insured member yet.
    """
    session = await wechat.exchange(code)
    user = await _wechat_user(session.openid, now)
    token = credentials.new_secret(credentials.MEMBER_PREFIX)
    await AccessToken.create(
        token_hash=credentials.digest(token),
        kind=TokenKind.MEMBER,
        wechat_user=user,
        created_at=now,
        expires_at=now + ttl,
    )
    return Session(token, now + ttl, user.member_id is not None)


async def _wechat_user(openid: str, now: datetime) -> WechatUser:
    user = await WechatUser.get_or_none(openid=openid)
    if user is not None:
        return user
    try:
        return await atomic(lambda: WechatUser.create(openid=openid, created_at=now))
    except IntegrityError:  # the same user logged in twice at once
        return await WechatUser.get(openid=openid)


async def authenticate(token: str, *, now: datetime) -> Principal | None:
    if token.startswith(credentials.API_KEY_PREFIX):
        return await _institution(token, now)
    row = await AccessToken.get_or_none(
        token_hash=credentials.digest(token), expires_at__gt=now
    ).select_related("wechat_user", "agent")
    if row is None:
        return None
    if row.kind is TokenKind.AGENT and row.agent is not None and row.agent.active:
        agent = row.agent
        return AgentPrincipal(agent.id, agent.username, agent.office_region, agent.scope)
    if row.kind is TokenKind.MEMBER and row.wechat_user is not None:
        user = row.wechat_user
        return MemberPrincipal(user.id, user.openid, user.member_id)
    return None


async def session_expires_at(token: str) -> datetime | None:
    """When a member's or agent's session token stops working; None for an unknown one."""
    row = await AccessToken.get_or_none(token_hash=credentials.digest(token))
    return None if row is None else row.expires_at


async def _institution(token: str, now: datetime) -> InstitutionPrincipal | None:
    """A revoked or expired key is refused like an unknown one."""
    key = (
        await ApiKey.filter(institutions.usable(now), key_hash=credentials.digest(token))
        .select_related("institution")
        .first()
    )
    if key is None or not key.institution.active:
        return None
    if institution_rules.last_use_is_stale(key.last_used_at, now):
        # Conditional, so concurrent requests write it once; at most once a minute.
        await ApiKey.filter(Q(last_used_at=None) | Q(last_used_at__lt=now), id=key.id).update(
            last_used_at=now
        )
    return InstitutionPrincipal(key.institution.id, key.institution.code, key.id)


async def logout(token: str) -> None:
    await AccessToken.filter(token_hash=credentials.digest(token)).delete()


async def _member_by_identity(name: str, id_number: str) -> Member:
    member = await members.find(id_number, name=name)
    if member is None:
        raise DomainError(ErrorCode.MEMBER_NOT_FOUND, "idNumber")
    return member


async def start_face_verification(
    *,
    principal: MemberPrincipal,
    name: str | None,
    id_number: str | None,
    face: FaceProvider,
    now: datetime,
) -> FaceVerification:
    """Step 1 of face verification 2.0: ask WeChat for a verify id for this person.

    A verified member may leave out name and ID number: the verification is for their own
    record, which the server already knows (accepting an invitation, R4).
    """
    if name is None and id_number is None and principal.member_id is not None:
        member = await Member.get(id=principal.member_id)
    else:
        member = await _member_by_identity(name or "", id_number or "")
    if principal.member_id is not None and principal.member_id != member.id:
        raise DomainError(ErrorCode.IDENTITY_ALREADY_LINKED, "idNumber")
    out_seq_no = uuid.uuid4().hex
    verify_id = await face.get_verify_id(
        out_seq_no, CertInfo(member.name, member.id_number), principal.openid
    )
    return await FaceVerification.create(
        verify_id=verify_id,
        out_seq_no=out_seq_no,
        wechat_user_id=principal.wechat_user_id,
        member=member,
        status=FaceVerificationStatus.STARTED,
        created_at=now,
        expires_at=now + FACE_VERIFICATION_TTL,
    )


async def confirm_face_verification(
    *,
    principal: MemberPrincipal,
    verify_id: str,
    purpose: str,
    face: FaceProvider,
    now: datetime,
) -> Member:
    """Step 3: ask WeChat for the result; a passed verification can be used once.

    Returns the member whose face was verified. Runs inside the caller's transaction.
    """
    row = await FaceVerification.get_or_none(
        verify_id=verify_id, wechat_user_id=principal.wechat_user_id
    ).select_related("member")
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "verifyId")
    if row.used_for is not None:
        raise DomainError(ErrorCode.FACE_VERIFICATION_USED, "verifyId")
    if now >= row.expires_at:
        raise DomainError(ErrorCode.FACE_VERIFICATION_EXPIRED, "verifyId")
    cert = CertInfo(row.member.name, row.member.id_number)
    if row.status is not FaceVerificationStatus.PASSED:
        passed = await face.passed(row.verify_id, row.out_seq_no, cert, principal.openid)
        row.status = FaceVerificationStatus.PASSED if passed else FaceVerificationStatus.FAILED
        if not passed:
            await row.save(update_fields=["status"])
            raise DomainError(ErrorCode.FACE_VERIFICATION_FAILED, "verifyId")
    claimed = await FaceVerification.filter(id=row.id, used_for=None).update(
        used_for=purpose, status=row.status
    )
    if claimed != 1:
        raise DomainError(ErrorCode.FACE_VERIFICATION_USED, "verifyId")
    return row.member


async def verify_identity(
    *, principal: MemberPrincipal, verify_id: str, face: FaceProvider, now: datetime
) -> Member:
    """Link this WeChat user to the insured member whose face passed verification."""
    if principal.member_id is not None:
        raise DomainError(ErrorCode.IDENTITY_ALREADY_LINKED)
    try:
        async for attempt in unit_of_work():
            async with attempt:
                member = await confirm_face_verification(
                    principal=principal, verify_id=verify_id, purpose="link", face=face, now=now
                )
                linked = await WechatUser.filter(
                    id=principal.wechat_user_id, member_id=None
                ).update(member_id=member.id, linked_at=now)
                if linked != 1:
                    raise DomainError(ErrorCode.IDENTITY_ALREADY_LINKED)
                await audit.record(
                    at=now,
                    actor_kind="member",
                    actor_id=member.id,
                    action="identity.link",
                    subject_id=principal.wechat_user_id,
                )
    except IntegrityError:  # this member is linked to another WeChat user already
        raise DomainError(ErrorCode.IDENTITY_ALREADY_LINKED, "verifyId") from None
    return member


async def agent_login(*, username: str, password: str, now: datetime) -> Session:
    """经办人员登录. Exactly one scrypt check, in a thread, whether or not the agent exists:
    the answer takes as long for an unknown username, and the event loop keeps serving."""
    agent = await Agent.get_or_none(username=username, active=True)
    stored = agent.password_hash if agent is not None else _DUMMY_HASH
    matches = await asyncio.get_running_loop().run_in_executor(
        _PASSWORD_CHECKS, credentials.check_password, password, stored
    )
    if agent is None or not matches:
        raise DomainError(ErrorCode.AGENT_CREDENTIALS_INVALID)
    token = credentials.new_secret(credentials.AGENT_PREFIX)
    await AccessToken.create(
        token_hash=credentials.digest(token),
        kind=TokenKind.AGENT,
        agent=agent,
        created_at=now,
        expires_at=now + AGENT_SESSION_TTL,
    )
    await audit.record(at=now, actor_kind="agent", actor_id=agent.id, action="agent.login")
    return Session(token, now + AGENT_SESSION_TTL, verified=True)


_DUMMY_HASH = credentials.hash_password(secrets.token_hex(8))


async def add_agent(
    *,
    username: str,
    name: str,
    office_region: str,
    password: str,
    now: datetime,
    scope: AgentScope = AgentScope.CITY,
) -> Agent:
    """A service-hall staff account (operator task). Passwords are stored as scrypt.

    The agent acts within `scope` of the office's region: its city unless told otherwise."""

    if len(password) < 10:
        raise DomainError(ErrorCode.INVALID_INPUT, "password", {"reason": "at least 10 characters"})
    agent, _ = await Agent.update_or_create(
        username=username.strip(),
        defaults={
            "name": name.strip(),
            "office_region": str(RegionCode(office_region, field="officeRegion")),
            "password_hash": credentials.hash_password(password),
            "scope": scope,
            "active": True,
        },
    )
    await audit.record(
        at=now, actor_kind="system", actor_id="cli", action="agent.add", subject_id=agent.id
    )
    return agent
