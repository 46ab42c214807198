"""Custom scalars. Money is a decimal string in yuan: GraphQL Int is 32-bit."""

from __future__ import annotations

from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from gongji.money import format_yuan

Money = NewType("Money", int)  # fen inside; "1234.50" outside

SCALARS: dict[object, ScalarDefinition] = {
    Money: strawberry.scalar(
        name="Money",
        description='An amount in yuan as a decimal string with two decimals, e.g. "1234.50".',
        serialize=format_yuan,
        # Inputs reach the domain as text, so a bad amount becomes a typed payload error.
        parse_value=str,
    )
}
