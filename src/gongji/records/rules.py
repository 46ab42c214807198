"""Pure rules for usage records: filters, cursors, year ranges (R19)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from gongji import pagination
from gongji.clock import CHINA
from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.pagination import Keyset
from gongji.payments.rules import VisitType
from gongji.records.models import RecordKind
from gongji.regions.code import RegionCode


class RecordRole(enum.Enum):
    AS_PATIENT = "as_patient"
    AS_AUTHORIZER = "as_authorizer"


@dataclass(frozen=True)
class RecordFilter:
    insured_region: RegionCode | None = None  # the patient's; a province matches its cities
    visit_type: VisitType | None = None
    year: int | None = None
    role: RecordRole | None = None  # None: both
    relative_id: uuid.UUID | None = None
    authorization_id: uuid.UUID | None = None
    kind: RecordKind | None = None


E = TypeVar("E", bound=enum.Enum)


def record_filter(
    *,
    insured_region: str | None = None,
    visit_type: VisitType | str | None = None,
    year: int | str | None = None,
    role: RecordRole | str | None = None,
    relative_id: str | None = None,
    authorization_id: str | None = None,
    kind: RecordKind | str | None = None,
) -> RecordFilter:
    """The one parser of the records filter, for GraphQL and the CSV export alike (R19).

    Takes what the caller sent (enum members, or their names or values as text) and checks
    everything up front, so a bad filter is refused before any page or download starts.
    """
    return RecordFilter(
        insured_region=(
            RegionCode(insured_region, field="filter.insuredRegion") if insured_region else None
        ),
        visit_type=_member(VisitType, visit_type, "filter.visitType"),
        year=_year(year),
        role=_member(RecordRole, role, "filter.role"),
        relative_id=_id(relative_id, "filter.relativeId"),
        authorization_id=_id(authorization_id, "filter.authorizationId"),
        kind=_member(RecordKind, kind, "filter.kind"),
    )


def _bad(field: str, zh: str, en: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, field, {"reason": bilingual(zh, en)})


def _member(kind: type[E], raw: E | str | None, field: str) -> E | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, kind):
        return raw
    for member in kind:
        if raw in (member.name, member.value):
            return member
    names = ", ".join(m.name for m in kind)
    raise _bad(field, f"应为 {names} 之一", f"one of {names}")


def _year(raw: int | str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        raise _bad("filter.year", "年度无效", "bad year")
    year = int(raw)
    year_range(year)
    return year


def _id(raw: str | None, field: str) -> uuid.UUID | None:
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise _bad(field, "编号格式错误", "not a valid id") from None


def check_applicable(f: RecordFilter, *, institution: bool) -> None:
    """An institution sees its own bills: no role of its own, no relatives (R27)."""
    if institution and f.role is not None:
        raise DomainError(ErrorCode.FILTER_NOT_APPLICABLE, "filter.role")
    if institution and f.relative_id is not None:
        raise DomainError(ErrorCode.FILTER_NOT_APPLICABLE, "filter.relativeId")


def year_range(year: int) -> tuple[datetime, datetime]:
    """A year in China as a time range, so the year filter uses the (…, occurred_at) index."""
    if not 2000 <= year <= 2100:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "filter.year", {"reason": bilingual("年度无效", "bad year")}
        )
    return datetime(year, 1, 1, tzinfo=CHINA), datetime(year + 1, 1, 1, tzinfo=CHINA)


RECORDS = Keyset(time_field="occurred_at")
"""Usage records page on (occurred_at, id): the read model is never updated."""


def encode_cursor(occurred_at: datetime, record_id: uuid.UUID) -> str:
    return pagination.encode_cursor(occurred_at, record_id)
