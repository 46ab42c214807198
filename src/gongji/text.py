"""Free text as the domain accepts it: NFC, printable, within a length (issue #9.3).

A name or a reason is shown back to other people (family members, institutions, staff), so
characters that change how text around them is displayed are refused, not stored: control
characters (NUL, ANSI escapes, line breaks), bidi overrides and isolates, zero-width and
other format characters, surrogates and private-use characters.
"""

from __future__ import annotations

import unicodedata

from gongji.errors import DomainError, ErrorCode, bilingual

# Cc control, Cf format (bidi, zero-width, BOM), Cs surrogate, Co private use,
# Zl/Zp line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def clean_text(raw: str, *, field: str, max_length: int) -> str:
    """The text in NFC, or a typed error naming `field`. Length counts characters after NFC."""
    text = raw if unicodedata.is_normalized("NFC", raw) else unicodedata.normalize("NFC", raw)
    if not text.isprintable():  # fast path: printable text has none of the refused characters
        for char in text:
            if unicodedata.category(char) in REFUSED_CATEGORIES:
                raise DomainError(
                    ErrorCode.INVALID_INPUT,
                    field,
                    {
                        "reason": bilingual(
                            f"不允许的字符 U+{ord(char):04X}",
                            f"character U+{ord(char):04X} is not allowed",
                        )
                    },
                )
    if len(text) > max_length:
        raise DomainError(ErrorCode.INPUT_TOO_LONG, field, {"max": max_length})
    return text
