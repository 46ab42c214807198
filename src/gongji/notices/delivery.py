"""Live delivery of committed notices: in this process, or across workers through Redis.

After commit, `Dispatch.committed` publishes (notice id, recipient id) pairs, never a text:
- without Redis, straight to this process's subscribers;
- with `REDIS_URL`, as one PUBLISH on a channel every worker listens to (one listener per
  process, `redis.asyncio` pub/sub), and each worker hands the ids to its own subscribers.
Each subscriber has a bounded queue: when it is full the event is dropped for that one
subscriber (counted), so a slow client never stalls the others nor the publisher; the client
catches up by reading `myNotices`. The notice itself is in the database whatever happens here.
It also hands the ids to the WeChat outbox (`gongji.notices.wechat`), which sends in the
background.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import orjson
import redis.asyncio

log = logging.getLogger("gongji.notices")

QUEUE_SIZE = 100
PUBLISH_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Event:
    """A committed notice, as it crosses workers: ids only."""

    notice_id: str
    recipient_id: str


class Outbox(Protocol):
    def kick(self, notice_ids: Sequence[str]) -> None: ...

    async def close(self) -> None: ...


class NoOutbox:
    def kick(self, notice_ids: Sequence[str]) -> None:
        pass

    async def close(self) -> None:
        pass


def channel_for(redis_url: str) -> str:
    """Pub/sub ignores Redis' database numbers: the channel names the database instead."""
    database = urlsplit(redis_url.removeprefix("async+")).path.strip("/") or "0"
    return f"gongji:notices:{database}"


class Hub:
    """This process's subscribers, and (with Redis) its one listener on the shared channel."""

    def __init__(self, redis_url: str = "", queue_size: int = QUEUE_SIZE) -> None:
        self.redis_url = redis_url.removeprefix("async+")
        self.queue_size = queue_size
        self.channel = channel_for(redis_url) if redis_url else ""
        self.subscribers: dict[str, set[asyncio.Queue[str]]] = {}
        self.dropped = 0
        self._client: redis.asyncio.Redis | None = None
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    def _redis(self) -> redis.asyncio.Redis:
        if self._client is None:
            self._client = redis.asyncio.from_url(self.redis_url)
        return self._client

    async def publish(self, events: Sequence[Event]) -> None:
        if not events:
            return
        if not self.redis_url:
            self.deliver(events)
            return
        message = orjson.dumps([[e.notice_id, e.recipient_id] for e in events])
        try:
            async with asyncio.timeout(PUBLISH_TIMEOUT_SECONDS):
                await self._redis().publish(self.channel, message)
        except (TimeoutError, redis.RedisError, OSError) as error:
            # Live delivery is best effort: the notices are committed and in myNotices.
            log.warning("notice publish failed: %s", type(error).__name__)

    def deliver(self, events: Sequence[Event]) -> None:
        """Hand each event to the recipient's queues here; a full queue drops it."""
        for event in events:
            for queue in self.subscribers.get(event.recipient_id, ()):
                try:
                    queue.put_nowait(event.notice_id)
                except asyncio.QueueFull:
                    self.dropped += 1

    @contextlib.asynccontextmanager
    async def subscription(self, recipient_id: str) -> AsyncIterator[asyncio.Queue[str]]:
        """A bounded queue of this member's new notice ids while the block runs."""
        queue: asyncio.Queue[str] = asyncio.Queue(self.queue_size)
        self.subscribers.setdefault(recipient_id, set()).add(queue)
        try:
            if self.redis_url:
                await self._ensure_listener()
            yield queue
        finally:
            mine = self.subscribers.get(recipient_id, set())
            mine.discard(queue)
            if not mine:
                self.subscribers.pop(recipient_id, None)

    async def _ensure_listener(self) -> None:
        if self._listener is None or self._listener.done():
            self._listening.clear()
            self._listener = asyncio.create_task(self._listen())
        # A subscriber must not miss what is published right after it subscribed.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(PUBLISH_TIMEOUT_SECONDS):
                await self._listening.wait()

    async def _listen(self) -> None:
        """One per process; reconnects with backoff (a lost message is only a delay)."""
        delay = 0.1
        while True:
            try:
                pubsub = self._redis().pubsub(ignore_subscribe_messages=True)
                async with pubsub:
                    await pubsub.subscribe(self.channel)
                    self._listening.set()
                    delay = 0.1
                    async for message in pubsub.listen():
                        self.deliver(_events(message.get("data")))
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("notice listener reconnecting: %s", type(error).__name__)
                self._listening.clear()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _events(data: Any) -> list[Event]:
    try:
        pairs = orjson.loads(data)
        return [Event(str(n), str(r)) for n, r in pairs]
    except (orjson.JSONDecodeError, TypeError, ValueError):
        log.warning("notice message ignored: not a list of [notice, recipient]")
        return []


class Dispatch:
    """What happens to notices once committed: live delivery, then the WeChat outbox."""

    def __init__(self, hub: Hub, outbox: Outbox | None = None) -> None:
        self.hub = hub
        self.outbox: Outbox = outbox or NoOutbox()

    async def committed(self, events: Sequence[Event]) -> None:
        await self.hub.publish(events)
        self.outbox.kick([e.notice_id for e in events])

    async def close(self) -> None:
        await self.outbox.close()
        await self.hub.close()


_current = Dispatch(Hub())


def use(dispatch: Dispatch) -> None:
    """Set the process-wide dispatch (create_app does, from the settings)."""
    global _current
    _current = dispatch


def current() -> Dispatch:
    return _current
