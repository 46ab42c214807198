"""The root schema composes each domain's Query and Mutation; limits are on from the start."""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from gongji.api.errors import should_mask_error
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
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
        extensions=[
            lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
            lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            lambda: MaskErrors(should_mask_error=should_mask_error),
        ],
    )


schema = build_schema()
