"""Pure rules for usage records: filters, cursors, year ranges (R19)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from gongji import pagination
from gongji.clock import CHINA
from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.members.rules import check_region_code
from gongji.pagination import Keyset
from gongji.payments.rules import VisitType
from gongji.records.models import RecordKind


class RecordRole(enum.Enum):
    AS_PATIENT = "as_patient"
    AS_AUTHORIZER = "as_authorizer"


@dataclass(frozen=True)
class RecordFilter:
    insured_region: str | None = None  # a province code matches its cities
    visit_type: VisitType | None = None
    year: int | None = None
    role: RecordRole | None = None  # None: both
    relative_id: uuid.UUID | None = None
    authorization_id: uuid.UUID | None = None
    kind: RecordKind | None = None


def region_prefix(code: str) -> str:
    """620000 → '62', 620100 → '6201', 620102 → '620102'."""
    code = check_region_code(code, field="filter.insuredRegion")
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def year_range(year: int) -> tuple[datetime, datetime]:
    """A year in China as a time range, so the year filter uses the (…, occurred_at) index."""
    if not 2000 <= year <= 2100:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "filter.year", {"reason": bilingual("年度无效", "bad year")}
        )
    return datetime(year, 1, 1, tzinfo=CHINA), datetime(year + 1, 1, 1, tzinfo=CHINA)


RECORDS = Keyset(time_field="occurred_at", key_type=int)
"""Usage records page on (occurred_at, id): the read model is never updated."""


def encode_cursor(occurred_at: datetime, record_id: int) -> str:
    return pagination.encode_cursor(occurred_at, record_id)
