"""How deep JSON nests, found without parsing it (the door's guard for the JSON parser)."""

from __future__ import annotations

import pytest

from gongji.api.request_limits import nesting_exceeds


@pytest.mark.parametrize(
    ("text", "deeper_than_3"),
    [
        (b'{"a":[1,{"b":2}]}', False),  # 3 levels
        (b'{"a":[1,{"b":[]}]}', True),  # 4 levels
        (b"[[],[],[[]]]", False),
        (b"[[[[]]]]", True),
        (b'["[[[[[[", "]]]]", {"k": "{{{{"}]', False),  # brackets inside strings do not count
        (b'["\\"[[[[[[\\"", 1]', False),  # nor after an escaped quote
        (b"[[[[", False),  # unbalanced: left to the parser, which refuses it
        (b"", False),
        (b"5", False),
    ],
)
def test_nesting_is_measured_outside_strings(text: bytes, deeper_than_3: bool) -> None:
    assert nesting_exceeds(text, 3) is deeper_than_3


def test_a_very_deep_array_is_caught() -> None:
    assert nesting_exceeds(b"[" * 5000 + b"]" * 5000, 32)
    assert not nesting_exceeds(b"[" * 32 + b"]" * 32, 32)
