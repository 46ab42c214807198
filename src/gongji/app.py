"""create_app(settings): routes, lifespan (Tortoise open/close), GraphQL with a typed context."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, cast

import httpx
import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from gongji import db, health, jobs, logs, metrics, pii
from gongji.api.context import Context, Services, language_of
from gongji.api.export import usage_records_csv
from gongji.api.graphiql_page import ASSET_PATH, page_response, serve_asset
from gongji.api.http_errors import http_error
from gongji.api.mock_face import complete_mock_face
from gongji.api.request_limits import RequestLimits
from gongji.api.request_log import RequestLog, note_principal
from gongji.api.schema import build_schema
from gongji.clock import Clock, SystemClock
from gongji.identity.face import FaceProvider, MockFaceProvider
from gongji.identity.principals import MemberPrincipal
from gongji.identity.service import authenticate, session_expires_at
from gongji.identity.tencent import TencentFaceProvider
from gongji.identity.wechat import CodeToSession, MockCodeToSession, RealCodeToSession
from gongji.notices import delivery
from gongji.notices.wechat import (
    MessageSender,
    MockMessageSender,
    WechatMessageSender,
    WechatOutbox,
)
from gongji.regions.policy import PolicyBook
from gongji.settings import ConfigurationError, Settings
from gongji.throttle.rules import client_address, trusted_networks
from gongji.throttle.service import Throttle


def _bearer(value: object) -> str:
    scheme, _, token = str(value or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _gone(websocket: WebSocket) -> bool:
    return websocket.application_state == WebSocketState.DISCONNECTED


class GongjiGraphQL(GraphQL[Context, None]):
    def __init__(self, services: Services) -> None:
        super().__init__(
            build_schema(services.settings),
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),  # never legacy graphql-ws
        )
        self.services = services
        self.trusted_proxies = trusted_networks(services.settings.trusted_proxies)
        self._watchers: set[asyncio.Task[None]] = set()

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """A subscription needs a verified member's session token, in `connection_init`
        (`{"Authorization": "Bearer …"}`, what browsers can send) or the upgrade's header.
        Refused with 4403; the socket is closed with 4403 once the token stops working."""
        params = context.connection_params or {}
        token = _bearer(params.get("Authorization") or params.get("authorization"))
        token = token or _bearer(context.request.headers.get("authorization"))
        now = self.services.clock.now()
        principal = await authenticate(token, now=now) if token else None
        if not isinstance(principal, MemberPrincipal) or principal.member_id is None:
            raise ConnectionRejectionError()
        expires_at = await session_expires_at(token)
        if expires_at is None:
            raise ConnectionRejectionError()
        context.principal, context.token_rejected = principal, False
        note_principal(principal)
        websocket = context.request
        assert isinstance(websocket, WebSocket)
        watcher = asyncio.create_task(self._close_when_expired(websocket, token, expires_at))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)
        return cast(UnsetType, UNSET)  # acknowledged without a payload

    async def _close_when_expired(
        self, websocket: WebSocket, token: str, expires_at: datetime
    ) -> None:
        """Check the token again every `subscription_recheck_seconds` (a logout ends it too),
        and at its expiry; close with 4403 when it no longer authenticates."""
        clock, every = self.services.clock, self.services.settings.subscription_recheck_seconds
        while not _gone(websocket):
            left = (expires_at - clock.now()).total_seconds()
            await asyncio.sleep(max(0.0, min(every, left)))
            if _gone(websocket):
                return
            if await authenticate(token, now=clock.now()) is None:
                with contextlib.suppress(Exception):  # the client may be gone already
                    await websocket.close(code=4403, reason="Token expired")
                return

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        token = _bearer(request.headers.get("authorization", ""))
        principal = None
        presented = bool(token)
        if presented:
            principal = await authenticate(token, now=self.services.clock.now())
        note_principal(principal)
        return Context(
            request=request,
            response=response,
            services=self.services,
            principal=principal,
            language=language_of(request.headers.get("accept-language")),
            client_ip=client_address(
                request.client.host if request.client else "",
                request.headers.get("x-forwarded-for"),
                self.trusted_proxies,
            ),
            token_rejected=presented and principal is None,
        )

    async def run(self, request: Request | WebSocket, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().run(request, *args, **kwargs)
        except HTTPException as error:  # strawberry's own refusals, in the same shape as ours
            return http_error(error.status_code, "BAD_REQUEST", error.reason)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL with every asset from this server: partner networks often have no internet."""
        return page_response()


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    settings.refuse_mocks_outside_development()
    wechat: CodeToSession = MockCodeToSession()
    if settings.wechat_client == "real":
        wechat = RealCodeToSession(
            settings.wechat_app_id, settings.wechat_app_secret, httpx.AsyncClient()
        )
    return Services(
        settings=settings,
        policies=PolicyBook.load(settings.policy_file),
        wechat=wechat,
        face=face_provider(settings),
        clock=clock or SystemClock(),
        throttle=Throttle.from_settings(settings),
    )


def message_sender(settings: Settings) -> MessageSender:
    """The WeChat subscription-message channel: mock (records) or real (subscribeMessage.send)."""
    if settings.wechat_messages == "real":
        if not (settings.wechat_app_id and settings.wechat_app_secret):
            raise ConfigurationError(
                "GONGJI_WECHAT_MESSAGES=real needs WECHAT_APP_ID and WECHAT_APP_SECRET"
            )
        return WechatMessageSender(
            settings.wechat_app_id,
            settings.wechat_app_secret,
            dict(settings.wechat_templates),
            httpx.AsyncClient(timeout=10),
        )
    if settings.wechat_messages == "mock":
        return MockMessageSender()
    raise ConfigurationError(
        f"GONGJI_WECHAT_MESSAGES={settings.wechat_messages!r}: use mock or real"
    )


def notice_dispatch(settings: Settings, clock: Clock) -> delivery.Dispatch:
    """Live notices through Redis when REDIS_URL is set, else in this process; WeChat after."""
    outbox = WechatOutbox(message_sender(settings), clock, settings.wechat_retry_seconds)
    return delivery.Dispatch(delivery.Hub(settings.redis_url, settings.notice_queue_size), outbox)


def face_provider(settings: Settings) -> FaceProvider:
    if settings.face_provider == "tencent":
        return TencentFaceProvider.from_settings(settings)
    if settings.face_provider == "mock":
        return MockFaceProvider(auto_pass=settings.face_mock_auto_pass)
    raise ConfigurationError(
        f"GONGJI_FACE_PROVIDER={settings.face_provider!r}: use tencent (production) or mock; "
        "WeChat's own face verification 2.0 is not available (cert_hash is undocumented)"
    )


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    manage_database: bool = True,
) -> Starlette:
    """The ASGI app. Tests pass their own services and open the database themselves.

    Raises MocksOutsideDevelopment when a mock provider is configured outside development.
    """
    settings = settings or Settings.from_env()
    settings.refuse_mocks_outside_development()
    logs.configure_unless_configured(settings.log_format)
    pii.use(pii.Keyring.from_settings(settings))
    services = services or build_services(settings)
    dispatch = notice_dispatch(settings, services.clock)
    delivery.use(dispatch)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await db.connect(settings.database_url)
        scheduler = None
        if settings.jobs_every_seconds > 0:
            every = settings.jobs_every_seconds
            scheduler = asyncio.create_task(jobs.keep_running(services.clock, every))
        if isinstance(dispatch.outbox, WechatOutbox):
            dispatch.outbox.start()  # retries unsent WeChat messages
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await scheduler
            await dispatch.close()
            await services.throttle.close()
            if manage_database:
                await db.disconnect()

    graphql = GongjiGraphQL(services)
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),  # subscriptions, graphql-transport-ws
        Route("/healthz", health.healthz),
        Route("/readyz", health.readyz([health.database_check, services.throttle.readiness])),
        Route("/metrics", metrics.scrape),
        Route(ASSET_PATH + "/{name}", serve_asset, methods=["GET", "HEAD"]),
        Route("/export/usage-records.csv", usage_records_csv(services), methods=["GET"]),
    ]
    if isinstance(services.face, MockFaceProvider):
        routes.append(
            Route(
                "/mock/wechat/face/{verify_id}",
                complete_mock_face(services, services.face),
                methods=["POST"],
            )
        )
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestLog),
            Middleware(RequestLimits, max_body_bytes=settings.max_body_bytes),
        ],
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.notices = dispatch
    return app
