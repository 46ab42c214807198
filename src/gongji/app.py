"""create_app(settings): routes, lifespan (Tortoise open/close), GraphQL with a typed context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from gongji import db, pii
from gongji.api.context import Context, Services, language_of
from gongji.api.export import usage_records_csv
from gongji.api.schema import build_schema
from gongji.clock import Clock, SystemClock
from gongji.identity.face import FaceProvider, MockFaceProvider
from gongji.identity.service import authenticate
from gongji.identity.tencent import TencentFaceProvider
from gongji.identity.wechat import CodeToSession, MockCodeToSession, RealCodeToSession
from gongji.regions.policy import PolicyBook
from gongji.settings import ConfigurationError, Settings


class GongjiGraphQL(GraphQL[Context, None]):
    def __init__(self, services: Services) -> None:
        super().__init__(
            build_schema(services.settings),
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.services = services

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        principal = None
        if scheme.lower() == "bearer" and token.strip():
            principal = await authenticate(token.strip(), now=self.services.clock.now())
        return Context(
            request=request,  # type: ignore[arg-type]
            response=response,
            services=self.services,
            principal=principal,
            language=language_of(request.headers.get("accept-language")),
        )

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
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
    """The ASGI app. Tests pass their own services and open the database themselves."""
    settings = settings or Settings.from_env()
    pii.use(pii.Keyring.from_settings(settings))
    services = services or build_services(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await db.connect(settings.database_url)
        try:
            yield
        finally:
            if manage_database:
                await db.disconnect()

    async def health(_request: Request) -> Response:
        return PlainTextResponse("ok")

    async def complete_mock_face(request: Request) -> Response:
        """Mock only: plays the user at the camera for wx.requestFacialVerify."""
        face = services.face
        if not isinstance(face, MockFaceProvider):
            return JSONResponse({"error": "not the mock provider"}, status_code=404)
        passed = request.query_params.get("result", "pass") == "pass"
        if not face.complete(request.path_params["verify_id"], passed):
            return JSONResponse({"error": "unknown verifyId"}, status_code=404)
        return JSONResponse({"verifyId": request.path_params["verify_id"], "passed": passed})

    graphql = GongjiGraphQL(services)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", health),
            Route("/export/usage-records.csv", usage_records_csv(services), methods=["GET"]),
            Route("/mock/wechat/face/{verify_id}", complete_mock_face, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.services = services
    return app
