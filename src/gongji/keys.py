"""Primary keys: UUIDv7 (RFC 9562), made in Python so an insert needs no round trip.

A UUIDv7 begins with its Unix time in milliseconds, then (here) the fraction of that
millisecond in 12 bits (RFC 9562 §6.2, method 3), then 62 random bits. Keys made later sort
later, so inserts land at the end of the index (locality on one server) while two servers'
keys never collide; on a range-partitioned engine the random tail spreads rows made in the
same millisecond. Python 3.11's `uuid` has no uuid7 (3.14 adds one); these few lines are all
gongji needs, and `key_at` (the migration's deterministic keys) is something no library offers.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime

_TAIL = (1 << 62) - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_last_stamp = 0  # (milliseconds << 12 | fraction) of the last key this process made


def _compose(stamp: int, tail: int) -> uuid.UUID:
    """48 bits of milliseconds, version 7, 12 bits of fraction, variant 0b10, 62-bit tail."""
    milliseconds, fraction = stamp >> 12, stamp & 0xFFF
    value = (milliseconds & ((1 << 48) - 1)) << 80 | 0x7 << 76 | fraction << 64
    return uuid.UUID(int=value | 0b10 << 62 | (tail & _TAIL))


def new_key() -> uuid.UUID:
    """A fresh key, later than every key this process made before (the model fields' default)."""
    global _last_stamp
    nanoseconds = time.time_ns()
    stamp = (nanoseconds // 1_000_000) << 12 | (nanoseconds % 1_000_000) * 4096 // 1_000_000
    _last_stamp = stamp = max(stamp, _last_stamp + 1)
    return _compose(stamp, int.from_bytes(os.urandom(8), "big"))


def key_at(moment: datetime, sequence: int) -> uuid.UUID:
    """The key of a row written at `moment` whose old integer key was `sequence` (0007).

    Deterministic and unique (the tail is the old key), and ordered as (moment, old key) was,
    so keyset pages over (time, key) read in the same order after the migration as before.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # gongji stores UTC
    delta = moment - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    stamp = (micros // 1000) << 12 | (micros % 1000) * 4096 // 1000
    return _compose(stamp, sequence)
