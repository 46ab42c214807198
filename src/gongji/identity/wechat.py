"""WeChat code-to-session: a mini-program login code becomes an openid (jscode2session)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx

from gongji.errors import DomainError, ErrorCode

JSCODE2SESSION_URL = "https://api.weixin.qq.com/sns/jscode2session"


@dataclass(frozen=True)
class WechatSession:
    openid: str
    unionid: str | None = None
    # session_key stays on the server side of this interface and is never stored or returned


class CodeToSession(Protocol):
    async def exchange(self, code: str) -> WechatSession: ...


def demo_openid(name: str) -> str:
    """The openid the mock client gives `demo-<name>`; demo data links these to people."""
    return f"mock-openid-{name}"


class MockCodeToSession:
    """Development stand-in for jscode2session; two kinds of code, two disjoint openid spaces.

    `demo-<name>` is the WeChat user `demo_openid(name)`, which the demo data (or a benchmark's
    generated data) links to a person. `mock-<anything>` is always a WeChat user of its own
    that no data links in advance: `mock-zhangwei` is a stranger, not 张伟. Unlike WeChat's,
    mock codes may be reused (the same code is the same user), so the README's codes keep working.
    """

    async def exchange(self, code: str) -> WechatSession:
        code = code.strip()
        if len(code) <= 64:
            for prefix, openid in (("demo-", demo_openid), ("mock-", _stranger_openid)):
                name = code.removeprefix(prefix)
                if code.startswith(prefix) and name:
                    return WechatSession(openid=openid(name))
        raise DomainError(ErrorCode.LOGIN_CODE_INVALID, "code")


def _stranger_openid(name: str) -> str:
    return f"mock-stranger-{name}"  # never starts with demo_openid's prefix


class RealCodeToSession:
    """jscode2session over HTTPS with the app id and secret from settings."""

    def __init__(self, app_id: str, app_secret: str, client: httpx.AsyncClient) -> None:
        if not app_id or not app_secret:
            raise ValueError("WECHAT_APP_ID and WECHAT_APP_SECRET are required for the real client")
        self._params = {"appid": app_id, "secret": app_secret, "grant_type": "authorization_code"}
        self._client = client

    async def exchange(self, code: str) -> WechatSession:
        response = await self._client.get(
            JSCODE2SESSION_URL, params={**self._params, "js_code": code}, timeout=5.0
        )
        response.raise_for_status()
        body = response.json()
        if body.get("errcode") or not body.get("openid"):
            raise DomainError(ErrorCode.LOGIN_CODE_INVALID, "code")
        return WechatSession(openid=body["openid"], unionid=body.get("unionid"))
