"""Region codes (行政区划代码, GB/T 2260) as a value: province, city and what lies within what."""

from __future__ import annotations

import re

from gongji.errors import DomainError, ErrorCode, bilingual

_SIX_DIGITS = re.compile(r"\d{6}", re.ASCII)


class RegionCode:
    """Six digits PPCCDD: province PP0000, city (统筹区) PPCC00, county PPCCDD.

    Built from text, checked once; compares equal to the same code as text.
    """

    __slots__ = ("_code",)

    def __init__(self, code: str, *, field: str = "regionCode") -> None:
        code = code.strip()
        if not _SIX_DIGITS.fullmatch(code) or code.startswith("00"):
            raise DomainError(
                ErrorCode.INVALID_REGION,
                field,
                {"reason": bilingual("应为6位数字（GB/T 2260）", "6 digits (GB/T 2260)")},
            )
        self._code = code

    @property
    def province(self) -> RegionCode:
        """620102 → 620000."""
        return RegionCode(self._code[:2] + "0000")

    @property
    def city(self) -> RegionCode:
        """620102 → 620100; a province stays itself."""
        return RegionCode(self._code[:4] + "00")

    @property
    def prefix(self) -> str:
        """The digits every code inside this one starts with: 620000 → 62, 620100 → 6201."""
        if self._code.endswith("0000"):
            return self._code[:2]
        if self._code.endswith("00"):
            return self._code[:4]
        return self._code

    def within(self, scope: RegionCode) -> bool:
        """Does this region lie inside scope (a province, a city, or the same county)?"""
        return self._code.startswith(scope.prefix)

    def __str__(self) -> str:
        return self._code

    def __repr__(self) -> str:
        return f"RegionCode({self._code!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RegionCode | str) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self._code)
