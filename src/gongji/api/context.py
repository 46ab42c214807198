"""The request context every resolver receives: who is asking, in which language, with what."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import HTTPConnection
from strawberry.types import Info as StrawberryInfo

from gongji.api.loaders import Loaders
from gongji.clock import Clock
from gongji.identity.face import FaceProvider
from gongji.identity.principals import Principal
from gongji.identity.wechat import CodeToSession
from gongji.regions.policy import PolicyBook
from gongji.settings import Settings
from gongji.throttle.service import Throttle


@dataclass(frozen=True)
class Services:
    """Process-wide collaborators, built once in create_app."""

    settings: Settings
    policies: PolicyBook
    wechat: CodeToSession
    face: FaceProvider
    clock: Clock
    throttle: Throttle


@dataclass
class Context:
    request: HTTPConnection  # a Request, or a WebSocket for subscriptions
    response: Any
    services: Services
    principal: Principal | None
    language: str
    client_ip: str
    token_rejected: bool = False  # a bearer token was sent, but it is unknown or expired
    connection_params: dict[str, Any] | None = None  # a subscription's `connection_init`
    loaders: Loaders = field(default_factory=Loaders)

    def now(self) -> datetime:
        return self.services.clock.now()


Info = StrawberryInfo[Context, None]


def language_of(accept_language: str | None) -> str:
    """zh-CN unless the caller's first preference is English."""
    first = (accept_language or "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "zh"
