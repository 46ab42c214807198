"""One structured line per request: who asked, which operation, how long, how it ended.

What a line never holds: the GraphQL document, its variables, the query string, a token.
The parts of the app that learn something about the request (who the caller is, what the
operation is called, which user errors it returned) note it on the request's record; the
middleware writes the line when the response is done. An unexpected error is logged once,
with its traceback and the request id, and answered with a 500 that names the request id.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

from graphql import GraphQLError, get_operation_ast
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from gongji import db, metrics
from gongji.api.http_errors import http_error
from gongji.errors import DomainError, ErrorCode
from gongji.identity.principals import (
    AgentPrincipal,
    InstitutionPrincipal,
    MemberPrincipal,
    Principal,
)

REQUEST_ID_HEADER = "x-request-id"
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})  # probes: no log line, no metrics
METERED_PATHS = frozenset({"/graphql", "/export/usage-records.csv"})
requests = logging.getLogger("gongji.request")
errors = logging.getLogger("gongji.error")

_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")
_DIGITS_ONLY = re.compile(r"[0-9]+[Xx]?")  # could be an ID or phone number: never echo it
_STATUS_OUTCOMES = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 413: "too_large"}


@dataclass
class RequestRecord:
    """What one request noted about itself on the way through."""

    request_id: str
    principal: str = "anonymous"
    operation: str | None = None
    user_errors: list[str] = field(default_factory=list)
    outcome: str | None = None  # set by a top-level GraphQL error; "error" wins over the rest

    def note(self, outcome: str) -> None:
        if self.outcome != "error":
            self.outcome = outcome

    def final_outcome(self, status: int) -> str:
        if status >= 500:
            return "error"
        if self.outcome:
            return self.outcome
        if status >= 400:
            return _STATUS_OUTCOMES.get(status, "bad_request")
        return "user_error" if self.user_errors else "ok"


_current: ContextVar[RequestRecord | None] = ContextVar("gongji_request", default=None)


def current() -> RequestRecord | None:
    return _current.get()


def note_principal(principal: Principal | None) -> None:
    record = _current.get()
    if record is not None:
        record.principal = principal_kind(principal)


def note_user_error(code: str) -> None:
    metrics.observe_user_error(code)
    record = _current.get()
    if record is not None:
        record.user_errors.append(code)


def note_graphql_errors(graphql_errors: Sequence[GraphQLError]) -> None:
    """Top-level errors: expected ones become the outcome; anything else is a bug, logged once."""
    record = _current.get()
    for error in graphql_errors:
        original = error.original_error
        if original is None:
            outcome = "validation"  # syntax, validation, limits: the client's document
        elif isinstance(original, GraphQLError):
            outcome = str((original.extensions or {}).get("code", "validation")).lower()
        elif isinstance(original, DomainError):  # a query's refusal: the client's to act on
            note_user_error(original.code.value)
            outcome = "user_error"
        elif isinstance(code := getattr(original, "code", None), ErrorCode):
            outcome = code.value.lower()  # api.errors.Unauthenticated (or TOKEN_INVALID)
        else:
            outcome = "error"
            path = ".".join(str(key) for key in error.path or ())
            errors.error("unexpected error at %s", path or "-", exc_info=original)
        if record is not None:
            record.note(outcome)


def principal_kind(principal: Principal | None) -> str:
    if isinstance(principal, MemberPrincipal):
        return "member"
    if isinstance(principal, InstitutionPrincipal):
        return "institution"
    if isinstance(principal, AgentPrincipal):
        return "agent"
    return "anonymous"


class OperationName(SchemaExtension):
    """Notes the executed operation's name (from the document, never the client's claim)."""

    def on_operation(self) -> Iterator[None]:
        yield
        record = _current.get()
        context = self.execution_context
        if record is None or context.graphql_document is None:
            return
        operation = get_operation_ast(context.graphql_document, context.operation_name)
        if operation is not None and operation.name is not None:
            record.operation = operation.name.value


class RequestLog:
    """Pure ASGI middleware: request id in and out, one line per request, bugs logged once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in QUIET_PATHS:
            await self.app(scope, receive, send)
            return
        record = RequestRecord(request_id=request_id(Headers(scope=scope).get(REQUEST_ID_HEADER)))
        token = _current.set(record)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, record.request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            errors.exception("unexpected error")
            record.note("error")
            if not status:
                await http_error(500, "INTERNAL_ERROR", f"Unexpected error ({record.request_id})")(
                    scope, receive, send_with_id
                )
        finally:
            seconds = time.perf_counter() - started
            outcome = record.final_outcome(status or 500)
            route = scope["path"] if scope["path"] in METERED_PATHS else "other"
            metrics.observe_request(route, record.operation, outcome, seconds)
            metrics.observe_pool(*db.pool_use())
            requests.info(
                "request",
                extra={
                    "fields": {
                        "method": scope["method"],
                        "path": scope["path"],
                        "operation": record.operation,
                        "principal": record.principal,
                        "status": status or 500,
                        "duration_ms": round(seconds * 1000, 2),
                        "outcome": outcome,
                        **({"user_errors": record.user_errors} if record.user_errors else {}),
                    }
                },
            )
            _current.reset(token)


def request_id(header: str | None) -> str:
    """The caller's X-Request-Id when it is a plain token, else a new one."""
    if header and _VALID_REQUEST_ID.fullmatch(header) and not _DIGITS_ONLY.fullmatch(header):
        return header
    return uuid.uuid4().hex
