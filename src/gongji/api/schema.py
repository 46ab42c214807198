"""The root schema composes each domain's Query and Mutation; limits are on from the start."""

from __future__ import annotations

import strawberry
from graphql import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_limit
from strawberry.extensions.query_depth_limiter import create_validator as depth_limit
from strawberry.schema.config import StrawberryConfig

from gongji.api.errors import should_mask_error
from gongji.api.execution import FastExecution
from gongji.api.families import FamilyMutation, FamilyQuery
from gongji.api.identity import IdentityMutation, IdentityQuery
from gongji.api.payments import PaymentMutation, PaymentQuery
from gongji.api.records import RecordQuery
from gongji.api.regions import RegionQuery
from gongji.api.scalars import SCALARS
from gongji.api.wallets import WalletMutation, WalletQuery
from gongji.settings import Settings


@strawberry.type
class Query(IdentityQuery, FamilyQuery, RegionQuery, WalletQuery, PaymentQuery, RecordQuery):
    pass


@strawberry.type
class Mutation(IdentityMutation, FamilyMutation, WalletMutation, PaymentMutation):
    pass


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or Settings()
    # Built once: QueryDepthLimiter/MaxAliasesLimiter make a new rule class per instance, and
    # the validation cache is keyed on the rules, so per-request factories never hit it.
    limits: list[type[ASTValidationRule]] = [
        depth_limit(settings.max_query_depth, None),
        alias_limit(settings.max_aliases),
    ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
        extensions=[
            lambda: AddValidationRules(limits),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            lambda: MaskErrors(should_mask_error=should_mask_error),
        ],
        execution_context_class=FastExecution,
    )


schema = build_schema()
