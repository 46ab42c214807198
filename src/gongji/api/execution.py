"""Execution fast path: fields that need no resolver call are completed without the
per-field machinery of graphql-core's executor.

A records page is about 480 fields, nearly all plain attributes of objects the resolvers
already built. graphql-core spends most of the page on them: a resolve-info object, a
middleware lookup, an argument check and a completion dispatch per field. Here each
selection set is planned once per operation: a plain attribute of a leaf, object or list
type is read with `operator.attrgetter` and completed directly; `__typename` is a constant.
Everything else — resolvers, middleware, `@defer`/`@stream`, abstract types, `is_type_of`,
unusual values (awaitables, exceptions, nulls in non-null positions, other iterables) — goes
through graphql-core's own code, per field, so results and errors are the reference's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import EnumMeta
from operator import attrgetter
from types import CoroutineType, GeneratorType
from typing import Any, NamedTuple
from uuid import UUID
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import Executor, collect_iterator_awaitables
from graphql.pyutils import Path, Undefined, gather_with_cancel
from graphql.type import GraphQLBoolean, GraphQLID, GraphQLString, TypeNameMetaFieldDef
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

# Plan kinds: how a field's value is obtained.
REFERENCE = 0  # graphql-core's execute_field
ATTRIBUTE = 1  # a plain attribute, completed here
TYPENAME = 2  # the parent type's name

# Leaf types whose coercion returns a value of this exact Python type unchanged.
IDENTITY_LEAVES: dict[int, type] = {
    id(GraphQLString): str,
    id(GraphQLID): str,
    id(GraphQLBoolean): bool,
}
# Values of these types are never awaitable (strawberry's optimized_is_awaitable agrees).
PLAIN: frozenset[type] = frozenset({type(None), bool, int, float, str, list, tuple, dict})


# Types without an instance dict, so without any `__await__`, checked once here.
SLOTTED: frozenset[type] = frozenset({datetime, date, time, timedelta, Decimal, UUID})


NEVER_AWAITABLE: set[type] = set(PLAIN | SLOTTED)  # grows with the classes seen


def never_awaitable(cls: type) -> bool:
    """True when no instance of `cls` passes graphql-core's is_awaitable: not a coroutine or
    generator, and no `__await__` or `__getattr__` on the class (strawberry types, enums,
    datetimes). Only an `__await__` set on one instance would fool this; awaiting such an
    instance fails in Python anyway. Remembered per class."""
    if cls in NEVER_AWAITABLE:
        return True
    instance_lookup = {"__await__", "__getattr__", "__getattribute__"}
    if issubclass(cls, CoroutineType | GeneratorType) or any(
        instance_lookup & vars(c).keys() for c in cls.__mro__ if c is not object
    ):
        return False
    NEVER_AWAITABLE.add(cls)
    return True


def coerce_leaf(leaf: GraphQLLeafType, value: Any) -> Any:
    """graphql-core's complete_leaf_value, inlined."""
    coerced = leaf.coerce_output_value(value)
    if coerced is None or coerced is Undefined:
        return Executor.complete_leaf_value(leaf, value)  # raises the reference's error
    return coerced


class Shape(NamedTuple):
    """How to complete a value of one output type; `of` is a list's item shape."""

    output: GraphQLOutputType  # the full type, non-null wrapper included
    non_null: bool
    leaf: GraphQLLeafType | None
    identity: type | None  # leaf values of this exact type complete to themselves
    members: type | None  # an enum's Python class: its members' names are remembered
    names: dict[Any, Any]  # enum member -> the name the reference coercion gave it
    object: GraphQLObjectType | None
    of: Shape | None


class FieldPlan(NamedTuple):
    """What a field's definition allows, the same for every document."""

    kind: int
    read: Callable[[Any], Any] | None
    shape: Shape | None
    definition: GraphQLField | None


class Step(NamedTuple):
    key: str
    fields: FieldDetailsList
    kind: int
    read: Callable[[Any], Any] | None
    shape: Shape | None
    definition: GraphQLField | None


def shape_of(type_: GraphQLOutputType) -> Shape | None:
    """The fast completion of a type, or None where the reference must complete it."""
    non_null = isinstance(type_, GraphQLNonNull)
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        item = shape_of(inner.of_type)
        return Shape(type_, non_null, None, None, None, {}, None, item) if item else None
    if isinstance(inner, GraphQLObjectType):
        if inner.is_type_of is not None:
            return None
        return Shape(type_, non_null, None, None, None, {}, inner, None)
    if isinstance(inner, GraphQLLeafType):
        members = getattr(inner, "wrapped_cls", None)  # strawberry's enums
        if not (isinstance(inner, GraphQLEnumType) and isinstance(members, EnumMeta)):
            members = None
        identity = IDENTITY_LEAVES.get(id(inner))
        return Shape(type_, non_null, inner, identity, members, {}, None, None)
    return None  # interfaces and unions: the reference resolves their runtime type


def plain_attribute(definition: GraphQLField) -> Callable[[Any], Any] | None:
    """strawberry's resolver for a field without resolver, extensions or error handlers reads
    `getattr(source, python_name)` and ignores `info`: read it the same way, without it."""
    field = definition.extensions.get("strawberry-definition")
    resolve = definition.resolve
    if (
        isinstance(field, StrawberryField)
        and getattr(resolve, "_is_default", False)
        and getattr(resolve, "__name__", "") == "_get_basic_result"
        and field.is_basic_field
        and field.default_resolver is getattr
        and not definition.args
    ):
        return attrgetter(field.python_name)
    return None


def field_plan(schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str) -> FieldPlan:
    definition = schema.get_field(parent_type, name)
    if definition is None:
        return FieldPlan(REFERENCE, None, None, None)  # the reference skips it
    if definition is TypeNameMetaFieldDef:
        return FieldPlan(TYPENAME, None, None, definition)
    read = plain_attribute(definition)
    shape = shape_of(definition.type) if read else None
    if read is None or shape is None:
        return FieldPlan(REFERENCE, None, None, definition)
    return FieldPlan(ATTRIBUTE, read, shape, definition)


# Per schema, (type name, field name) -> FieldPlan: built once, shared by every operation.
FIELD_PLANS: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], FieldPlan]] = (
    WeakKeyDictionary()
)


class FastExecution(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context with the fast path; wired in `schema.py`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # Middleware wraps every resolver, plain ones included: then every field goes the
        # reference way. strawberry always passes a manager, usually without middleware.
        self.fast = (
            manager is None or not manager._middleware_resolvers
        ) and self.abort_signal is None
        self.plans: dict[tuple[GraphQLObjectType, int], tuple[GroupedFieldSet, list[Step]]] = {}
        self.object_plans: dict[tuple[GraphQLObjectType, int], list[Step]] = {}
        field_plans = FIELD_PLANS.get(self.schema)
        if field_plans is None:
            field_plans = FIELD_PLANS[self.schema] = {}
        self.field_plans = field_plans

    def plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> list[Step]:
        key = (parent_type, id(fields))
        cached = self.plans.get(key)
        if cached is not None:
            return cached[1]
        steps = [self.step(parent_type, name, details) for name, details in fields.items()]
        self.plans[key] = (fields, steps)  # keeps `fields` alive: its id stays unique
        return steps

    def step(self, parent_type: GraphQLObjectType, key: str, details: FieldDetailsList) -> Step:
        name = details[0].node.name.value
        plan = self.field_plans.get((parent_type.name, name))
        if plan is None:
            plan = field_plan(self.schema, parent_type, name)
            self.field_plans[(parent_type.name, name)] = plan
        if plan.kind != REFERENCE and any(d.node.directives for d in details):
            # @include/@skip were applied when collecting; anything else (@stream) is the
            # reference's business.
            names = {dn.name.value for d in details for dn in d.node.directives or ()}
            if names - {"include", "skip"}:
                return Step(key, details, REFERENCE, None, None, plan.definition)
        return Step(key, details, *plan)

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        if not self.fast or position_context is not None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        return self.execute_steps(
            parent_type, source_value, path, self.plan(parent_type, grouped_field_set)
        )

    def execute_steps(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        steps: list[Step],
    ) -> Any:
        """graphql-core's execute_fields, with plain attributes completed here."""
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for key, details, kind, read, shape, definition in steps:
                if kind == ATTRIBUTE:
                    assert read is not None and shape is not None and definition is not None
                    try:
                        value = read(source_value)
                        value_type = type(value)
                        if value_type is shape.identity:
                            results[key] = value
                            continue
                        leaf = shape.leaf
                        if value_type is shape.members and leaf is not None:
                            # an enum member: its name, as the reference named it before
                            result = shape.names.get(value)
                            if result is None:
                                result = shape.names[value] = coerce_leaf(leaf, value)
                        elif leaf is not None and value_type in PLAIN and value is not None:
                            result = coerce_leaf(leaf, value)
                        else:
                            result = self.complete(
                                shape, details, definition, parent_type, path, key, value
                            )
                    except Exception as raw_error:
                        self.handle_field_error(
                            raw_error, shape.output, details, Path(path, key, parent_type.name)
                        )
                        result = None
                elif kind == TYPENAME:
                    result = parent_type.name
                else:
                    result = self.execute_field(
                        parent_type,
                        source_value,
                        details,
                        Path(path, key, parent_type.name),
                        None,
                    )
                    if result is Undefined:
                        continue
                results[key] = result
                if type(result) not in PLAIN and is_awaitable(result):
                    awaitable_fields.append(key)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self.gather_fields(results, awaitable_fields)

    @staticmethod
    async def gather_fields(results: dict[str, Any], awaitable_fields: list[str]) -> Any:
        """As graphql-core's execute_fields: await the pending fields together."""
        if len(awaitable_fields) == 1:
            field = awaitable_fields[0]
            results[field] = await results[field]
        else:
            awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
            results.update(zip(awaitable_fields, awaited, strict=True))
        return results

    def complete(
        self,
        shape: Shape,
        details: FieldDetailsList,
        definition: GraphQLField,
        parent_type: GraphQLObjectType,
        path: Path | None,
        key: str,
        value: Any,
    ) -> Any:
        """Complete a plain attribute's value; what the fast path does not know, the
        reference completes, exactly as graphql-core's execute_field would have."""
        if value is None:
            if not shape.non_null:
                return None
        elif shape.of is not None:
            if type(value) is list or type(value) is tuple:
                field_path = Path(path, key, parent_type.name)
                return self.complete_direct(
                    shape, details, definition, parent_type, field_path, value
                )
        elif not isinstance(value, Exception) and (
            never_awaitable(type(value)) or not self.is_awaitable(value)
        ):
            if shape.leaf is not None:
                return coerce_leaf(shape.leaf, value)
            field_path = Path(path, key, parent_type.name)
            return self.complete_direct(shape, details, definition, parent_type, field_path, value)
        field_path = Path(path, key, parent_type.name)
        info = self.build_resolve_info(
            definition, [d.node for d in details], parent_type, field_path
        )
        if self.is_awaitable(value):
            return self.complete_awaitable_value(
                shape.output, details, info, field_path, value, None
            )
        completed = self.complete_value(shape.output, details, info, field_path, value, None)
        if self.is_awaitable(completed):
            return self.await_completed(completed, shape.output, details, field_path)
        return completed

    async def await_completed(
        self,
        completed: Awaitable[Any],
        return_type: GraphQLOutputType,
        details: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None

    def complete_direct(
        self,
        shape: Shape,
        details: FieldDetailsList,
        definition: GraphQLField,
        parent_type: GraphQLObjectType,
        path: Path,
        value: Any,
    ) -> Any:
        """An object (not null, not an error) or a list (a list or tuple) at `path`."""
        if shape.object is not None:
            completed = self.complete_object(shape.object, details, path, value)
        else:
            assert shape.of is not None
            completed = self.complete_items(shape.of, details, definition, parent_type, path, value)
        if type(completed) not in PLAIN and self.is_awaitable(completed):
            return self.await_completed(completed, shape.output, details, path)
        return completed

    def complete_object(
        self, type_: GraphQLObjectType, details: FieldDetailsList, path: Path, value: Any
    ) -> Any:
        steps = self.object_plans.get((type_, id(details)))
        if steps is None:
            grouped_field_set, new_defer_usages, _ = self.collect_subfields(type_, details)
            if new_defer_usages:
                return self.execute_collected_subfields(
                    type_, value, path, grouped_field_set, new_defer_usages, None
                )
            steps = self.plan(type_, grouped_field_set)
            # collect_subfields keeps `details` alive with its own memo: its id stays unique
            self.object_plans[(type_, id(details))] = steps
        return self.execute_steps(type_, value, path, steps)

    def complete_items(
        self,
        item: Shape,
        details: FieldDetailsList,
        definition: GraphQLField,
        parent_type: GraphQLObjectType,
        path: Path,
        items: list[Any] | tuple[Any, ...],
    ) -> Any:
        """As graphql-core's complete_iterable_value, item by item."""
        is_awaitable = self.is_awaitable
        results: list[Any] = []
        awaitable_indices: list[int] = []
        info: GraphQLResolveInfo[Any] | None = None
        iterator: Iterator[Any] = iter(items)
        try:
            for index, value in enumerate(iterator):
                if item.identity is not None and type(value) is item.identity:
                    results.append(value)
                    continue
                item_path = Path(path, index, None)
                if (item.leaf is not None or item.object is not None) and not (
                    value is None
                    or isinstance(value, Exception)
                    or (not never_awaitable(type(value)) and is_awaitable(value))
                ):
                    try:
                        if item.leaf is not None:
                            completed = coerce_leaf(item.leaf, value)
                        else:
                            assert item.object is not None
                            completed = self.complete_object(item.object, details, item_path, value)
                    except Exception as raw_error:
                        self.handle_field_error(raw_error, item.output, details, item_path)
                        completed = None
                    if type(completed) not in PLAIN and is_awaitable(completed):
                        completed = self.await_completed(completed, item.output, details, item_path)
                        awaitable_indices.append(index)
                    results.append(completed)
                    continue
                if info is None:
                    nodes = [d.node for d in details]
                    info = self.build_resolve_info(definition, nodes, parent_type, path)
                if is_awaitable(value):
                    results.append(
                        self.complete_awaitable_list_item_value(
                            value, item.output, details, info, item_path, None
                        )
                    )
                    awaitable_indices.append(index)
                elif self.complete_list_item_value(
                    value, results, item.output, details, info, item_path, None
                ):
                    awaitable_indices.append(index)
        except Exception:
            # As the reference: settle what is pending, and what the list still holds.
            pending = [results[i] for i in awaitable_indices]
            pending.extend(collect_iterator_awaitables(iterator, is_awaitable))
            if pending:
                self.settle_in_background(pending)
            raise
        if not awaitable_indices:
            return results
        return self.gather_items(results, awaitable_indices)

    @staticmethod
    async def gather_items(results: list[Any], awaitable_indices: list[int]) -> list[Any]:
        if len(awaitable_indices) == 1:
            index = awaitable_indices[0]
            results[index] = await results[index]
        else:
            awaited = await gather_with_cancel(*(results[i] for i in awaitable_indices))
            for index, value in zip(awaitable_indices, awaited, strict=True):
                results[index] = value
        return results


__all__ = ["FastExecution"]
