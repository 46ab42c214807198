"""Custom scalars. Money is a decimal string in yuan: GraphQL Int is 32-bit.

Parsing never raises: a value that does not parse becomes `Malformed`, and the input pass
(gongji.api.inputs) turns it into a typed error naming the field — a payload error in a
mutation, a top-level error with `extensions.code` in a query — instead of graphql-core's
coercion message, which echoes Python's exception text.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from gongji.errors import bilingual
from gongji.money import format_yuan

Money = NewType("Money", int)  # fen inside; "1234.50" outside

_DECIMAL = re.compile(r"-?\d+(\.\d{1,2})?", re.ASCII)


@dataclass(frozen=True)
class Malformed:
    """An input scalar that did not parse; `reason` says what was expected, in zh and en."""

    reason: tuple[str, str]


MONEY_EXPECTED = bilingual(
    '金额应为字符串形式的元，最多两位小数，如 "1234.50"',
    'a decimal string in yuan with at most two decimals, like "1234.50"',
)
DATE_EXPECTED = bilingual("日期格式应如 2026-03-10", "a date like 2026-03-10")
DATETIME_EXPECTED = bilingual(
    "时间格式应如 2026-03-10T10:00:00+08:00", "a time like 2026-03-10T10:00:00+08:00"
)


def _money(value: object) -> str | Malformed:
    """Only a JSON string of decimal digits: 1e9, 1.5 as a JSON number, "1e9" are refused."""
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return value
    return Malformed(MONEY_EXPECTED)


def _date(value: object) -> datetime.date | Malformed:
    if isinstance(value, str) and len(value) == 10:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    return Malformed(DATE_EXPECTED)


def _datetime(value: object) -> datetime.datetime | Malformed:
    if isinstance(value, str) and len(value) <= 40:
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            return Malformed(DATETIME_EXPECTED)
        if parsed.tzinfo is not None:  # a time without its offset is ambiguous
            return parsed
    return Malformed(DATETIME_EXPECTED)


def _isoformat(value: datetime.date) -> str:
    return value.isoformat()


SCALARS: dict[object, ScalarDefinition] = {
    Money: strawberry.scalar(
        name="Money",
        description='An amount in yuan as a decimal string with at most two decimals, e.g. '
        '"1234.50". Inputs must be JSON strings: a JSON number (1234.5, 1e9) is refused '
        "with INVALID_INPUT on the field.",
        serialize=format_yuan,
        parse_value=_money,
    ),
    datetime.date: strawberry.scalar(
        name="Date",
        description="A calendar date, ISO 8601: 2026-03-10.",
        serialize=_isoformat,
        parse_value=_date,
    ),
    datetime.datetime: strawberry.scalar(
        name="DateTime",
        description="An instant, ISO 8601 with its UTC offset: 2026-03-10T02:00:00+00:00. "
        "Inputs must carry the offset.",
        serialize=_isoformat,
        parse_value=_datetime,
    ),
}
