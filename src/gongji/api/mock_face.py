"""POST /mock/wechat/face/{verifyId}: development only, plays the user at the camera.

Mounted only with the mock face provider. It completes a verification only for the WeChat
user who started it (their bearer token), as WeChat's own camera would; a service-hall
agent's bearer token completes the verifications that agent started at the window.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gongji.api.context import Services, language_of
from gongji.api.http_errors import http_domain_error
from gongji.api.request_log import note_principal
from gongji.errors import DomainError, ErrorCode
from gongji.hall.rules import agent_openid
from gongji.identity.face import MockFaceProvider
from gongji.identity.principals import AgentPrincipal, MemberPrincipal
from gongji.identity.service import authenticate


def complete_mock_face(
    services: Services, face: MockFaceProvider
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        language = language_of(request.headers.get("accept-language"))
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        who = None
        if scheme.lower() == "bearer" and token.strip():
            who = await authenticate(token.strip(), now=services.clock.now())
        note_principal(who)
        if isinstance(who, MemberPrincipal):
            openid = who.openid
        elif isinstance(who, AgentPrincipal):  # the camera at the agent's window
            openid = agent_openid(who.agent_id)
        else:
            return http_domain_error(403, DomainError(ErrorCode.FORBIDDEN), language)
        verify_id = request.path_params["verify_id"]
        passed = request.query_params.get("result", "pass") == "pass"
        if not face.complete(verify_id, passed, openid=openid):
            return http_domain_error(404, DomainError(ErrorCode.NOT_FOUND, "verifyId"), language)
        return JSONResponse({"verifyId": verify_id, "passed": passed})

    return endpoint
