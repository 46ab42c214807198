"""How rejections reach the client: typed payload errors, and typed top-level errors.

A mutation reports a refusal in its payload's `errors`. Everything else is a top-level GraphQL
error, and every one of them carries `extensions: {code, field, rule}` (plus `detail` for
graphql-core's own words) and a message in the caller's language (Accept-Language):

- a query's refusal: the DomainError's code (INVALID_INPUT, FORBIDDEN, NOT_FOUND, …);
- no caller: UNAUTHENTICATED; a bearer token that is unknown or expired: TOKEN_INVALID;
- a document that does not parse, validate, or stay within limits: GRAPHQL_PARSE_FAILED,
  GRAPHQL_VALIDATION_FAILED, QUERY_TOO_COMPLEX;
- a bug: INTERNAL_SERVER_ERROR, "Unexpected error." (logged, never echoed).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import strawberry
from graphql import ASTValidationRule, GraphQLError, GraphQLSyntaxError, ValidationContext

from gongji.api.enums import described
from gongji.api.request_log import note_user_error
from gongji.errors import CATALOGUE, DomainError, ErrorCode, bilingual

T = TypeVar("T")


def _describe(code: ErrorCode) -> str:
    """The enum value's documentation, from the one bilingual catalogue."""
    explanation = CATALOGUE[code]
    en = explanation.en.replace("{", "<").replace("}", ">")
    zh = explanation.zh.replace("{", "<").replace("}", ">")
    parts = [f"{en} / {zh}."]
    if explanation.when:
        parts.append(f"When: {explanation.when}")
    if explanation.rule:
        parts.append(f"Rule {explanation.rule} (see the `rules` query).")
    return " ".join(parts)


described(
    ErrorCode,
    name="ErrorCode",
    description="Stable machine codes of every refusal: in a mutation payload's `errors`, and "
    "in `extensions.code` of top-level errors. Never renamed.",
    values={code.name: _describe(code) for code in ErrorCode},
)

@strawberry.type(description="A refusal the caller can act on, in a mutation's payload.")
class UserError:
    code: ErrorCode = strawberry.field(
        description="Stable machine code; branch on it, never on the message."
    )
    field: str | None = strawberry.field(
        description="The input field at fault, as sent (`amount`, `items.0.name`), if one is."
    )
    message: str = strawberry.field(
        description="For people, in the caller's language: Chinese, or English with "
        "`Accept-Language: en`."
    )
    rule: str | None = strawberry.field(
        description="The rule behind the refusal (R1–R30), if one is: the `rules` query and "
        "the README's rule table explain each."
    )
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


class Unauthenticated(Exception):
    """No caller (UNAUTHENTICATED), or a bearer token that is not valid (TOKEN_INVALID)."""

    def __init__(self, code: ErrorCode = ErrorCode.UNAUTHENTICATED) -> None:
        super().__init__(code.value)
        self.code = code


def top_level(error: GraphQLError, language: str) -> GraphQLError:
    """The error as the client sees it: a code, a field and rule where known, localized."""
    original = error.original_error
    detail: str | None = None
    if isinstance(original, DomainError):
        refusal = original
    elif isinstance(original, Unauthenticated):
        refusal = DomainError(original.code)
    elif original is None or isinstance(original, GraphQLError):
        detail = error.message
        refusal = DomainError(_request_error_code(error), params={"detail": detail})
    else:
        refusal = DomainError(ErrorCode.INTERNAL_SERVER_ERROR)
    extensions: dict[str, Any] = {
        "code": refusal.code.value,
        "field": refusal.field,
        "rule": refusal.rule,
    }
    if detail is not None:
        extensions["detail"] = detail
    return GraphQLError(
        refusal.message(language),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def _request_error_code(error: GraphQLError) -> ErrorCode:
    tagged = (error.extensions or {}).get("code")
    if tagged == ErrorCode.QUERY_TOO_COMPLEX.value:
        return ErrorCode.QUERY_TOO_COMPLEX
    if isinstance(error, GraphQLSyntaxError):
        # MaxTokensLimiter stops graphql-core's parser: "Document contains more than N tokens."
        too_long = "tokens" in error.message and "Parsing aborted" in error.message
        return ErrorCode.QUERY_TOO_COMPLEX if too_long else ErrorCode.GRAPHQL_PARSE_FAILED
    return ErrorCode.GRAPHQL_VALIDATION_FAILED


class _Tagging:
    """A validation context that tags what one rule reports as QUERY_TOO_COMPLEX."""

    def __init__(self, context: ValidationContext) -> None:
        self._context = context

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)

    def report_error(self, error: GraphQLError) -> None:
        error.extensions = {**(error.extensions or {}), "code": ErrorCode.QUERY_TOO_COMPLEX.value}
        self._context.report_error(error)


def too_complex(rule: type[ASTValidationRule]) -> type[ASTValidationRule]:
    """A limit rule (depth, aliases) whose errors say QUERY_TOO_COMPLEX."""


    def tagged(self: ASTValidationRule, context: ValidationContext) -> None:
        rule.__init__(self, cast(ValidationContext, _Tagging(context)))

    return cast(type[ASTValidationRule], type(rule.__name__, (rule,), {"__init__": tagged}))


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
