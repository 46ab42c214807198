"""Institution codes: H + 6-digit region + 5 digits, or P + 11 digits (region first)."""

from __future__ import annotations

import re

from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.institutions.models import InstitutionKind

_CODE = re.compile(r"^([HP])(\d{6})(\d{5})$", re.ASCII)


def parse_institution_code(code: str) -> tuple[InstitutionKind, str]:
    match = _CODE.match(code.strip().upper())
    if not match:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "institutionCode",
            {"reason": bilingual("应为H或P加11位数字", "H or P and 11 digits")},
        )
    kind = InstitutionKind.HOSPITAL if match.group(1) == "H" else InstitutionKind.PHARMACY
    return kind, match.group(2)
