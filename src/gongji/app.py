"""create_app(settings): routes, lifespan (Tortoise open/close), GraphQL with a typed context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from gongji import db, health, logs, metrics, pii
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
from gongji.identity.service import authenticate
from gongji.identity.tencent import TencentFaceProvider
from gongji.identity.wechat import CodeToSession, MockCodeToSession, RealCodeToSession
from gongji.regions.policy import PolicyBook
from gongji.settings import ConfigurationError, Settings
from gongji.throttle.rules import client_address, trusted_networks
from gongji.throttle.service import Throttle


class GongjiGraphQL(GraphQL[Context, None]):
    def __init__(self, services: Services) -> None:
        super().__init__(
            build_schema(services.settings),
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.services = services
        self.trusted_proxies = trusted_networks(services.settings.trusted_proxies)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        principal = None
        presented = scheme.lower() == "bearer" and bool(token.strip())
        if presented:
            principal = await authenticate(token.strip(), now=self.services.clock.now())
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

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await db.connect(settings.database_url)
        try:
            yield
        finally:
            await services.throttle.close()
            if manage_database:
                await db.disconnect()

    routes = [
        Route("/graphql", GongjiGraphQL(services), methods=["GET", "POST"]),
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
    return app
