"""Scheduled work whose due time is in the database, so a restart loses nothing.

`gongji run-jobs` runs one pass (for cron, e.g. every minute); `--every N` keeps running.
Each item is its own transaction, locked and rechecked: passes may overlap safely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gongji.wallets import service as wallets


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
