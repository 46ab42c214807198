"""Scheduled work whose due time is in the database, so a restart loses nothing.

`gongji run-jobs` runs one pass (for cron, e.g. every minute); `--every N` keeps running;
`GONGJI_JOBS_EVERY_SECONDS` runs the same passes inside each server process. Each item is its
own transaction, locked and rechecked: passes may overlap safely, across workers too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from gongji.clock import Clock
from gongji.wallets import service as wallets

log = logging.getLogger("gongji.jobs")


@dataclass(frozen=True)
class JobReport:
    transfers_returned: int
    authorizations_ended: int


async def run_due(now: datetime) -> JobReport:
    """R10: unaccepted transfers return to their senders at 06:00 China time the next day;
    authorizations past their last day end, and their unspent quota returns."""
    returned = await wallets.return_due_transfers(now=now)
    ended = await wallets.end_expired_authorizations(now=now)
    return JobReport(transfers_returned=len(returned), authorizations_ended=len(ended))


async def keep_running(
    clock: Clock,
    every: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """A pass every `every` seconds until cancelled; a failed pass is logged and retried."""
    while True:
        try:
            report = await run_due(clock.now())
            if report.transfers_returned or report.authorizations_ended:
                log.info(
                    "jobs ran",
                    extra={
                        "transfers_returned": report.transfers_returned,
                        "authorizations_ended": report.authorizations_ended,
                    },
                )
        except Exception:
            log.exception("a jobs pass failed; the next pass retries it")
        await sleep(every)
