"""How rejections reach the client: typed payload errors, and the few top-level ones."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.types.enum import StrawberryEnumDefinition

from gongji.api.request_log import note_user_error
from gongji.errors import CATALOGUE, DomainError, ErrorCode, bilingual

T = TypeVar("T")

ErrorCodeType = strawberry.enum(
    ErrorCode, name="ErrorCode", description="Stable machine codes; see each message's rule."
)

_definition = getattr(ErrorCodeType, "__strawberry_definition__", None)
if isinstance(_definition, StrawberryEnumDefinition):  # each code described by its catalogue
    for _value in _definition.values:
        _explained = CATALOGUE[ErrorCode(_value.value)]
        _value.description = _explained.en + (f" ({_explained.rule})" if _explained.rule else "")


@strawberry.type(description="A rejection the caller can act on.")
class UserError:
    code: ErrorCodeType  # type: ignore[valid-type]
    field: str | None = strawberry.field(description="Input field at fault, where one applies.")
    message: str = strawberry.field(description="In the caller's language (Accept-Language).")
    rule: str | None = strawberry.field(description="Rule id in DOMAIN.md, e.g. R3.")
    retry_after_seconds: int | None = strawberry.field(
        default=None,
        description="RATE_LIMITED only: whole seconds to wait before sending this operation "
        "again; null for every other code.",
    )

    @classmethod
    def of(cls, error: DomainError, language: str) -> UserError:
        retry = error.params.get("seconds") if error.code is ErrorCode.RATE_LIMITED else None
        return cls(
            code=error.code,
            field=error.field,
            message=error.message(language),
            rule=error.rule,
            retry_after_seconds=retry,
        )


class Unauthenticated(GraphQLError):
    def __init__(self) -> None:
        super().__init__(
            "Authentication required: send Authorization: Bearer <token>",
            extensions={"code": "UNAUTHENTICATED"},
        )


def should_mask_error(error: GraphQLError) -> bool:
    """Mask bugs, not client errors: syntax/validation errors have no original error."""
    original = error.original_error
    return original is not None and not isinstance(original, Unauthenticated | GraphQLError)


async def attempt(
    call: Callable[[], Awaitable[T]], language: str
) -> tuple[T | None, list[UserError]]:
    """Run one use case; a DomainError, from the permission check on, becomes payload errors."""
    try:
        return await call(), []
    except DomainError as error:
        note_user_error(error.code.value)
        return None, [UserError.of(error, language)]


def parse_id(raw: strawberry.ID | str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise DomainError(
            ErrorCode.INVALID_INPUT, field, {"reason": bilingual("编号格式错误", "not a valid id")}
        ) from None


class Refused(GraphQLError):
    """A query's refusal: top-level (a query has no payload), typed like a payload error with
    `extensions: {code, field, rule}` and a message in the caller's language; never masked."""

    def __init__(self, error: DomainError, language: str) -> None:
        super().__init__(
            error.message(language),
            extensions={"code": error.code.value, "field": error.field, "rule": error.rule},
        )


async def answer(call: Callable[[], Awaitable[T]], language: str) -> T:
    """Run one query; a DomainError becomes a top-level `Refused` error."""
    try:
        return await call()
    except DomainError as error:
        raise Refused(error, language) from None
