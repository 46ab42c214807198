"""login, identity verification, staff login, and `me`."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.errors import UserError, attempt
from gongji.api.members import Me
from gongji.api.throttling import throttled
from gongji.identity import service
from gongji.identity.models import FaceVerification
from gongji.members.models import Member
from gongji.throttle.policy import Operation

ERRORS = "Typed refusals; empty on success."


@strawberry.type(description="The result of `login` or `agentLogin`.")
class LoginPayload:
    token: str | None = strawberry.field(description="Send as `Authorization: Bearer <token>`.")
    expires_at: datetime.datetime | None = strawberry.field(
        description="When the token stops working (TOKEN_INVALID after it): log in again before."
    )
    verified: bool = strawberry.field(
        description="Linked to an insured member already (always true for staff)."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)

    @classmethod
    def of(cls, session: service.Session | None, errors: list[UserError]) -> LoginPayload:
        if session is None:
            return cls(token=None, expires_at=None, verified=False, errors=errors)
        return cls(
            token=session.token,
            expires_at=session.expires_at,
            verified=session.verified,
            errors=errors,
        )


@strawberry.type(description="The result of `logout`.")
class LogoutPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of `startFaceVerification`.")
class FaceVerificationPayload:
    verify_id: str | None = strawberry.field(
        description="Pass to wx.requestFacialVerify({verifyId}); valid for one hour."
    )
    expires_at: datetime.datetime | None = strawberry.field(
        description="When the verifyId expires (FACE_VERIFICATION_EXPIRED after it)."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of `verifyIdentity`.")
class VerifyIdentityPayload:
    me: Me | None = strawberry.field(description="The caller's insured record, now linked.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type
class IdentityQuery:
    @strawberry.field(description="The caller's own insured record; null until verified.")
    async def me(self, info: Info) -> Me | None:
        member_id = permissions.member_or_none(info)
        if member_id is None:
            return None
        return Me.of(await Member.get(id=member_id), info)


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(description="Exchange a mini-program login code (wx.login) for a token.")
    async def login(
        self,
        info: Info,
        code: Annotated[
            str, strawberry.argument(description="The code from wx.login: single use, 5 minutes.")
        ],
    ) -> LoginPayload:
        context = info.context

        async def run() -> service.Session:
            return await service.login(
                code=code,
                wechat=context.services.wechat,
                now=context.now(),
                ttl=context.services.settings.session_ttl,
            )

        session, errors = await attempt(throttled(info, Operation.LOGIN, run), context.language)
        return LoginPayload.of(session, errors)

    @strawberry.mutation(
        description="Step 1 of face verification: name and ID number of the person at the "
        "camera. A verified member verifying their own face (e.g. to accept an invitation) "
        "omits both: the server uses their insured record."
    )
    async def start_face_verification(
        self,
        info: Info,
        name: Annotated[
            str | None,
            strawberry.argument(
                description="Full name as on the ID card; omit it (with idNumber) to verify "
                "the verified caller's own face."
            ),
        ] = None,
        id_number: Annotated[
            str | None,
            strawberry.argument(
                description="18-character resident ID number (GB 11643); omit it (with name) "
                "to verify the verified caller's own face."
            ),
        ] = None,
    ) -> FaceVerificationPayload:
        context = info.context

        async def run() -> FaceVerification:
            return await service.start_face_verification(
                principal=permissions.wechat_user(info),
                name=name,
                id_number=id_number,
                face=context.services.face,
                now=context.now(),
            )

        row, errors = await attempt(
            throttled(info, Operation.START_FACE_VERIFICATION, run), context.language
        )
        return FaceVerificationPayload(
            verify_id=row.verify_id if row else None,
            expires_at=row.expires_at if row else None,
            errors=errors,
        )

    @strawberry.mutation(
        description="After wx.requestFacialVerify: link this WeChat user to the verified member."
    )
    async def verify_identity(
        self,
        info: Info,
        verify_id: Annotated[
            str, strawberry.argument(description="From `startFaceVerification`, after the scan.")
        ],
    ) -> VerifyIdentityPayload:
        context = info.context

        async def run() -> Member:
            return await service.verify_identity(
                principal=permissions.wechat_user(info),
                verify_id=verify_id,
                face=context.services.face,
                now=context.now(),
            )

        member, errors = await attempt(run, context.language)
        return VerifyIdentityPayload(me=Me.of(member, info) if member else None, errors=errors)

    @strawberry.mutation(description="End the session whose bearer token sent this request.")
    async def logout(self, info: Info) -> LogoutPayload:
        permissions.principal(info)
        _, _, token = info.context.request.headers.get("authorization", "").partition(" ")
        await service.logout(token.strip())
        return LogoutPayload(errors=[])

    @strawberry.mutation(description="Service-hall staff sign in 经办人员登录.")
    async def agent_login(
        self,
        info: Info,
        username: Annotated[str, strawberry.argument(description="Staff username.")],
        password: Annotated[str, strawberry.argument(description="Staff password.")],
    ) -> LoginPayload:
        context = info.context

        async def run() -> service.Session:
            return await service.agent_login(
                username=username, password=password, now=context.now()
            )

        session, errors = await attempt(
            throttled(info, Operation.AGENT_LOGIN, run, username=username), context.language
        )
        return LoginPayload.of(session, errors)
