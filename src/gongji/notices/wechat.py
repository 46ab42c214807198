"""WeChat subscription messages 订阅消息: the second channel, behind `MessageSender`.

The notice table is the outbox: every notice starts `wechat_state = pending`. After commit
`WechatOutbox.kick` sends the new ones in a background task (the request never waits for
WeChat); a failure leaves the notice pending with `wechat_next_at` pushed back
(`rules.wechat_retry_delay`), and `sweep` — every `GONGJI_WECHAT_RETRY_SECONDS` in a running
server, or `gongji send-notices` — sends whatever is due. A notice is claimed with a
conditional update before it is sent, so two workers never send the same one at once.

`MockMessageSender` (the default) records what it would send. `WechatMessageSender` calls
`subscribeMessage.send` with the mini-program's access token; template ids per notice kind
come from `GONGJI_WECHAT_TEMPLATES`; a kind with no template is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

import httpx
from tortoise.expressions import Q

from gongji.clock import CHINA, Clock
from gongji.identity.models import WechatUser
from gongji.money import format_yuan
from gongji.notices.models import Notice, WechatState
from gongji.notices.rules import NoticeKind, wechat_retry_delay

log = logging.getLogger("gongji.notices.wechat")

LEASE = timedelta(minutes=2)  # a claimed notice is not claimed again before this
WECHAT_API = "https://api.weixin.qq.com"


class SendFailed(Exception):
    """WeChat did not take the message; the notice stays pending and is tried again."""


@dataclass(frozen=True)
class Message:
    openid: str
    kind: NoticeKind
    template_id: str
    page: str
    data: dict[str, dict[str, str]]


class MessageSender(Protocol):
    def template_for(self, kind: NoticeKind) -> str | None: ...

    async def send(self, message: Message) -> None: ...

    async def close(self) -> None: ...


@dataclass
class MockMessageSender:
    """Records what it would send. `failures` makes the next n sends fail (tests)."""

    sent: list[Message] = field(default_factory=list)
    failures: int = 0

    def template_for(self, kind: NoticeKind) -> str | None:
        return f"mock-{kind.value}"

    async def send(self, message: Message) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise SendFailed("mock failure")
        self.sent.append(message)

    async def close(self) -> None:
        pass


class WechatMessageSender:
    """`subscribeMessage.send` (POST /cgi-bin/message/subscribe/send) with a cached access
    token from /cgi-bin/token (client_credential). Each template must have the keys
    `thing1` (the notice, 20 characters), `time2` and, for money notices, `amount3`."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        templates: dict[str, str],
        http: httpx.AsyncClient,
        base_url: str = WECHAT_API,
        state: str = "formal",
    ) -> None:
        self.app_id, self.app_secret = app_id, app_secret
        self.templates = templates
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.state = state
        self._token: tuple[str, float] | None = None

    def template_for(self, kind: NoticeKind) -> str | None:
        return self.templates.get(kind.name) or self.templates.get(kind.value)

    async def _access_token(self) -> str:
        loop = asyncio.get_running_loop()
        if self._token and self._token[1] > loop.time():
            return self._token[0]
        response = await self.http.get(
            f"{self.base_url}/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": self.app_id,
                "secret": self.app_secret,
            },
        )
        body = response.json()
        if "access_token" not in body:
            raise SendFailed(f"access token: errcode {body.get('errcode')}")
        lifetime = int(body.get("expires_in", 7200))
        self._token = (body["access_token"], loop.time() + max(lifetime - 300, 60))
        return str(body["access_token"])

    async def send(self, message: Message) -> None:
        try:
            token = await self._access_token()
            response = await self.http.post(
                f"{self.base_url}/cgi-bin/message/subscribe/send",
                params={"access_token": token},
                json={
                    "touser": message.openid,
                    "template_id": message.template_id,
                    "page": message.page,
                    "data": message.data,
                    "miniprogram_state": self.state,
                    "lang": "zh_CN",
                },
            )
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise SendFailed(type(error).__name__) from error
        code = body.get("errcode", 0)
        if code in (40001, 42001):  # the access token went stale: fetch a new one next time
            self._token = None
        if code != 0:
            raise SendFailed(f"errcode {code}")

    async def close(self) -> None:
        await self.http.aclose()


def message_for(notice: Notice, openid: str, template_id: str) -> Message:
    """Subscription-message fields: 'thing' values are at most 20 characters."""
    data = {
        "thing1": {"value": notice.text_zh[:20]},
        "time2": {"value": f"{notice.created_at.astimezone(CHINA):%Y-%m-%d %H:%M}"},
    }
    if "amount" in notice.data:
        data["amount3"] = {"value": f"{format_yuan(int(notice.data['amount']))}元"}
    return Message(openid, notice.kind, template_id, "pages/notices/index", data)


class WechatOutbox:
    """Sends pending notices in the background; never blocks the request that made them."""

    def __init__(self, sender: MessageSender, clock: Clock, retry_seconds: float = 30) -> None:
        self.sender = sender
        self.clock = clock
        self.retry_seconds = retry_seconds
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    def kick(self, notice_ids: Sequence[str]) -> None:
        if notice_ids:
            self._spawn(self.send_each(list(notice_ids)))

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settled(self) -> None:
        """Wait for the background sends started so far (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def send_each(self, notice_ids: Sequence[str]) -> int:
        sent = 0
        for notice_id in notice_ids:
            try:
                sent += await self._send_one(notice_id)
            except Exception:  # a bug in one send must not stop the others
                log.exception("wechat send crashed")
        return sent

    async def sweep(self, limit: int = 500) -> int:
        """Send every pending notice that is due; returns how many went out."""
        now = self.clock.now()
        due = (
            await Notice.filter(wechat_state=WechatState.PENDING)
            .filter(Q(wechat_next_at=None) | Q(wechat_next_at__lte=now))
            .order_by("created_at")
            .limit(limit)
            .values_list("id", flat=True)
        )
        return await self.send_each([str(i) for i in due])

    async def _send_one(self, notice_id: str) -> int:
        now = self.clock.now()
        claimed = (
            await Notice.filter(id=notice_id, wechat_state=WechatState.PENDING)
            .filter(Q(wechat_next_at=None) | Q(wechat_next_at__lte=now))
            .update(wechat_next_at=now + LEASE)
        )
        if claimed != 1:
            return 0  # sent, skipped, or another worker holds it
        notice = await Notice.get(id=notice_id)
        template = self.sender.template_for(notice.kind)
        user = await WechatUser.get_or_none(member_id=notice.recipient_id)
        if template is None or user is None:
            await Notice.filter(id=notice.id).update(wechat_state=WechatState.SKIPPED)
            return 0
        try:
            await self.sender.send(message_for(notice, user.openid, template))
        except SendFailed as failure:
            attempts = notice.wechat_attempts + 1
            await Notice.filter(id=notice.id).update(
                wechat_attempts=attempts,
                wechat_next_at=now + timedelta(seconds=wechat_retry_delay(attempts)),
                wechat_error=str(failure)[:255],
            )
            log.warning("wechat message not sent, will retry: %s", failure)
            return 0
        await Notice.filter(id=notice.id).update(
            wechat_state=WechatState.SENT,
            wechat_sent_at=self.clock.now(),
            wechat_attempts=notice.wechat_attempts + 1,
            wechat_error="",
        )
        return 1

    def start(self) -> None:
        """Retry what is due every `retry_seconds` (a running server does this)."""
        if self._sweeper is None and self.retry_seconds > 0:
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.retry_seconds)
            try:
                await self.sweep()
            except Exception:
                log.exception("wechat sweep failed")

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        await self.settled()
        await self.sender.close()
