"""The root schema composes each domain's Query and Mutation; limits are on from the start."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_limit
from strawberry.extensions.query_depth_limiter import create_validator as depth_limit
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from gongji.api import arguments, inputs
from gongji.api.errors import too_complex, top_level
from gongji.api.execution import FastExecution
from gongji.api.families import FamilyMutation, FamilyQuery
from gongji.api.hall import HallMutation, HallQuery
from gongji.api.identity import IdentityMutation, IdentityQuery
from gongji.api.institutions import InstitutionMutation, InstitutionQuery
from gongji.api.insurance import InsuranceMutation, InsuranceQuery
from gongji.api.notices import NoticeMutation, NoticeQuery, Subscription
from gongji.api.payment_preview import PaymentPreviewQuery
from gongji.api.payments import PaymentMutation, PaymentQuery
from gongji.api.records import RecordQuery
from gongji.api.regions import RegionQuery, RuleQuery
from gongji.api.request_log import OperationName, note_graphql_errors
from gongji.api.scalars import SCALARS
from gongji.api.wallets import WalletMutation, WalletQuery
from gongji.settings import Settings


@strawberry.type(
    description="Reads. A refusal is a top-level error with `extensions.code` (see ErrorCode)."
)
class Query(
    IdentityQuery,
    FamilyQuery,
    RegionQuery,
    RuleQuery,
    WalletQuery,
    PaymentQuery,
    PaymentPreviewQuery,
    RecordQuery,
    InstitutionQuery,
    NoticeQuery,
    HallQuery,
    InsuranceQuery,
):
    pass


@strawberry.type(
    description="Writes. Each returns a payload whose `errors` lists typed refusals; "
    "money-moving ones take an `idempotencyKey`."
)
class Mutation(
    IdentityMutation,
    FamilyMutation,
    WalletMutation,
    PaymentMutation,
    InstitutionMutation,
    NoticeMutation,
    HallMutation,
    InsuranceMutation,
):
    pass


class GongjiSchema(strawberry.Schema):
    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """Every top-level error in the contract of gongji.api.errors: coded and localized.

        Here rather than in an extension: a parse error skips the extensions' exit hooks.
        """
        result = await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )
        if result.errors:
            language = getattr(context_value, "language", "zh")
            result.errors = [top_level(e, language) for e in result.errors]
        return result

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Instead of strawberry's logging, which prints the document with its literals: each
        error becomes the request's outcome, and only a bug is logged (by path)."""
        note_graphql_errors(errors)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or Settings()
    # Built once: QueryDepthLimiter/MaxAliasesLimiter make a new rule class per instance, and
    # the validation cache is keyed on the rules, so per-request factories never hit it.
    limits: list[type[ASTValidationRule]] = [
        too_complex(depth_limit(settings.max_query_depth, None)),
        too_complex(alias_limit(settings.max_aliases)),
    ]
    inputs.install(Query, Mutation)
    arguments.describe(Query, Mutation)
    return GongjiSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
        extensions=[
            lambda: AddValidationRules(limits),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            OperationName,
        ],
        execution_context_class=FastExecution,
    )


schema = build_schema()
