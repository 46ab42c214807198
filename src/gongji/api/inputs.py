"""Input hygiene at the edge (issue #9.3): one pass over every argument of every root field.

Installed on every Query and Mutation field that takes arguments when the schema is built, so
fields added later are covered without anything in their resolvers. It walks the arguments by
their declared types, into input objects and lists:

- every `String` becomes NFC and is refused if it holds control, bidi, zero-width or other
  format characters, or is longer than its limit (`MAX_LENGTH`, by field name);
- every scalar that did not parse (`Money` sent as a JSON number, a bad `Date`) is refused.

A refusal names the field. In a mutation it is the payload's `errors` (nothing runs); in a
query it is a top-level error with `extensions.code` (see gongji.api.errors.ErrorContract).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.types.base import StrawberryList, StrawberryOptional, get_object_definition
from strawberry.types.field import StrawberryField
from strawberry.types.unset import UnsetType
from strawberry.utils.str_converters import to_camel_case

from gongji.api.context import Info
from gongji.api.errors import UserError
from gongji.api.request_log import note_user_error
from gongji.api.scalars import Malformed
from gongji.errors import DomainError, ErrorCode
from gongji.text import clean_text

DEFAULT_MAX_LENGTH = 255
"""Any text without its own limit: the widest text column we store."""

MAX_LENGTH: dict[str, int] = {
    # people
    "name": 64,
    "patientName": 64,
    "proxyBuyerName": 64,
    "idNumber": 32,  # 18 characters; longer is refused here, anything else by R-number checks
    "patientIdNumber": 32,
    "proxyBuyerIdNumber": 32,
    # family groups
    "commitmentVersion": 32,
    "noticeVersion": 32,
    "orderNumber": 64,
    "insurerCode": 32,
    "proofMaterial": 255,
    # staff and reasons
    "username": 64,
    "password": 128,
    "reason": 255,
    # login, face verification, retries
    "code": 64,
    "verifyId": 256,
    "idempotencyKey": 80,
    # bills
    "externalRef": 64,
    "BillItemInput.name": 128,
    # lookups
    "regionCode": 16,
    "insuredRegion": 16,
    "after": 200,
}
"""Length limits in characters, by argument or input-field name; `Type.field` wins over `field`."""


def limit(owner: str, name: str) -> int:
    """The length limit of a field or argument `name` of `owner` (an input type or a field)."""
    return MAX_LENGTH.get(f"{owner}.{name}", MAX_LENGTH.get(name, DEFAULT_MAX_LENGTH))


def _path(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _clean(value: Any, type_: object, field: str, max_length: int) -> Any:
    if value is None or isinstance(value, UnsetType):
        return value
    if isinstance(value, Malformed):
        raise DomainError(ErrorCode.INVALID_INPUT, field, {"reason": value.reason})
    if isinstance(type_, StrawberryOptional):
        return _clean(value, type_.of_type, field, max_length)
    if isinstance(type_, StrawberryList):
        return [_clean(v, type_.of_type, f"{field}.{n}", max_length) for n, v in enumerate(value)]
    if type_ is str:
        return clean_text(value, field=field, max_length=max_length)
    definition = get_object_definition(type_)
    if definition is not None and definition.is_input:
        for f in definition.fields:
            name = f.graphql_name or to_camel_case(f.python_name)
            cleaned = _clean(
                getattr(value, f.python_name),
                f.type,
                _path(field, name),
                limit(definition.name, name),
            )
            setattr(value, f.python_name, cleaned)
    return value


@dataclasses.dataclass(frozen=True)
class _Argument:
    python_name: str
    graphql_name: str
    type_: object
    limit: int


class CleanInputs(FieldExtension):
    """Clean a field's arguments; refuse with a typed error naming the field."""

    def __init__(self, *, refuse_in_payload: bool) -> None:
        self.refuse_in_payload = refuse_in_payload
        self.arguments: list[_Argument] = []
        self.payload: Callable[[list[UserError]], object] | None = None

    def apply(self, field: StrawberryField) -> None:
        owner = field.graphql_name or to_camel_case(field.python_name)
        self.arguments = []
        for argument in field.arguments:
            name = argument.graphql_name or to_camel_case(argument.python_name)
            self.arguments.append(
                _Argument(argument.python_name, name, argument.type, limit(owner, name))
            )
        if self.refuse_in_payload:
            self.payload = refusal(field.type)

    def _cleaned(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        for argument in self.arguments:
            if argument.python_name in kwargs:
                # An `input` object's fields are named alone (groupId, not input.groupId).
                prefix = "" if argument.graphql_name == "input" else argument.graphql_name
                kwargs[argument.python_name] = _clean(
                    kwargs[argument.python_name], argument.type_, prefix, argument.limit
                )
        return kwargs

    def _refused(self, error: DomainError, info: Info) -> object:
        if self.payload is None:
            raise error
        note_user_error(error.code.value)  # counted and logged like a resolver's refusal
        return self.payload([UserError.of(error, info.context.language)])

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        try:
            kwargs = self._cleaned(kwargs)
        except DomainError as error:
            return self._refused(error, info)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        try:
            kwargs = self._cleaned(kwargs)
        except DomainError as error:
            return self._refused(error, info)
        return await next_(source, info, **kwargs)


def refusal(payload_type: object) -> Callable[[list[UserError]], object]:
    """How to build a mutation's payload that carries only errors: data fields null, flags false.

    Checked when the schema is built, so a payload that cannot be refused fails at start-up.
    """
    if isinstance(payload_type, StrawberryOptional):
        payload_type = payload_type.of_type
    definition = get_object_definition(payload_type, strict=True)
    values: dict[str, Any] = {}
    for f in definition.fields:
        if f.base_resolver is not None or f.python_name == "errors":
            continue
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            continue
        if isinstance(f.type, StrawberryOptional):
            values[f.python_name] = None
        elif f.type is bool:
            values[f.python_name] = False
        else:
            raise TypeError(f"{definition.name}.{f.python_name}: no value to refuse with")
    cls: Callable[..., object] = definition.origin

    def build(errors: list[UserError]) -> object:
        return cls(**values, errors=errors)

    return build


def install(query: type, mutation: type) -> None:
    """Put CleanInputs on every root field that takes arguments (idempotent)."""
    for root, in_payload in ((query, False), (mutation, True)):
        for field in get_object_definition(root, strict=True).fields:
            if field.arguments and not any(isinstance(e, CleanInputs) for e in field.extensions):
                field.extensions.append(CleanInputs(refuse_in_payload=in_payload))
