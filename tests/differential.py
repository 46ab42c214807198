"""The fast path against graphql-core's reference executor, on every operation a test sends.

`DifferentialExecution` runs each operation with the fast path, for real, recording what each
root field's resolver returned or raised; then runs the same operation with strawberry's
reference execution context, replaying those root values (so a mutation or an audited read
happens once), and records any difference in `data` or `errors` (message, locations, path,
extensions) in MISMATCHES. The `api` fixture installs it and fails a test that left one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLFormattedError,
    GraphQLResolveInfo,
    MiddlewareManager,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from graphql.type import GraphQLObjectType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionResult as StrawberryResult

from gongji.api.execution import FastExecution

MISMATCHES: list[str] = []

Resolver = Callable[..., Any]
Info = GraphQLResolveInfo[Any]


def outcome(result: Any) -> tuple[Any, list[GraphQLFormattedError]]:
    """What a client would see of a result: data, and every error's public parts."""
    assert isinstance(result, ExecutionResult | StrawberryResult), result
    return result.data, [error.formatted for error in result.errors or ()]


def compare(fast: Any, reference: Any, document: str) -> None:
    got, expected = outcome(fast), outcome(reference)
    if got != expected:
        MISMATCHES.append(f"{document}\n  fast path: {got}\n  reference: {expected}")


class Recording:
    """Middleware recording root resolvers' outcomes by response key: (awaited?, raised?,
    value or error)."""

    def __init__(self, is_awaitable: Callable[[Any], bool]) -> None:
        self.is_awaitable = is_awaitable
        self.outcomes: dict[str | int, tuple[bool, bool, Any]] = {}

    def resolve(
        self, next_: Resolver, root: Any, info: GraphQLResolveInfo[Any], **args: Any
    ) -> Any:
        if info.path.prev is not None:
            return next_(root, info, **args)
        key = info.path.key
        try:
            result = next_(root, info, **args)
        except Exception as error:
            self.outcomes[key] = (False, True, error)
            raise
        if not self.is_awaitable(result):
            self.outcomes[key] = (False, False, result)
            return result
        return self.settle(key, result)

    async def settle(self, key: str | int, result: Awaitable[Any]) -> Any:
        try:
            value = await result
        except Exception as error:
            self.outcomes[key] = (True, True, error)
            raise
        self.outcomes[key] = (True, False, value)
        return value

    def replayed(
        self, next_: Resolver, root: Any, info: GraphQLResolveInfo[Any], **args: Any
    ) -> Any:
        if info.path.prev is not None:
            return next_(root, info, **args)
        awaited, raised, value = self.outcomes[info.path.key]
        if awaited:
            return self.later(raised, value)
        if raised:
            raise value
        return value

    @staticmethod
    async def later(raised: bool, value: Any) -> Any:
        if raised:
            raise value
        return value


class Replay:
    """Middleware (an object with `resolve`: graphql-core ignores bound methods)."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording

    def resolve(
        self, next_: Resolver, root: Any, info: GraphQLResolveInfo[Any], **args: Any
    ) -> Any:
        return self.recording.replayed(next_, root, info, **args)


class DifferentialExecution(FastExecution):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arguments = (args, kwargs)
        self.recording = Recording(self.is_awaitable)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        if path.prev is not None:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        # The fast path's choices were made in __init__: middleware installed now only
        # records the root resolver's outcome (and passes nested resolvers through).
        manager = self.middleware_manager
        self.middleware_manager = MiddlewareManager(self.recording)
        try:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        finally:
            self.middleware_manager = manager

    def execute_operation(self, serially: bool | None = None) -> Any:
        fast = super().execute_operation(serially)
        return self.against_reference(fast, serially)

    async def against_reference(self, fast: Any, serially: bool | None) -> Any:
        if self.is_awaitable(fast):
            fast = await fast
        args, kwargs = self.arguments
        reference = StrawberryGraphQLCoreExecutionContext(*args, **kwargs)
        reference.middleware_manager = MiddlewareManager(Replay(self.recording))
        expected = reference.execute_operation(serially)
        if self.is_awaitable(expected):
            expected = await expected
        document = self.operation.loc.source.body if self.operation.loc else "?"
        compare(fast, expected, document)
        return fast
