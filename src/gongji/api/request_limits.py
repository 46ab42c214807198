"""Limits at the door: what a request may send before any of the app sees it.

A pure ASGI middleware (no BaseHTTPMiddleware: it buffers responses and breaks streaming).
Every request body is read here, at most `max_body_bytes` of it: a declared Content-Length over
the limit is refused before reading, a chunked body as soon as it passes the limit. The
GraphQL endpoint's input (a POST's JSON body, a GET's `variables`/`extensions`) is checked
for encoding, nesting and shape, so a malformed request is a 400 in GraphQL's error shape
and never reaches the parser that would fail on it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import orjson
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gongji.api.context import language_of
from gongji.api.http_errors import http_error
from gongji.errors import DomainError, ErrorCode, bilingual

MAX_JSON_DEPTH = 32  # GraphQL variables nest 5 deep at most; 5,000 deep is an attack

_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_INNERMOST = re.compile(rb"\[\]|\{\}")


class RequestLimits:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        graphql_path: str = "/graphql",
        batching: bool = False,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.graphql_path = graphql_path
        self.batching = batching

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        language = language_of(headers.get("accept-language"))
        try:
            self._check_declared_length(headers.get("content-length"))
            body = await self._read(receive)
            if scope["path"] == self.graphql_path:
                self._check_graphql(scope, headers, body)
        except _TooLarge as error:
            refusal = http_error(413, "REQUEST_TOO_LARGE", error.error.message(language))
            await refusal(scope, receive, send)
            return
        except DomainError as error:
            await http_error(400, "BAD_REQUEST", error.message(language))(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _check_declared_length(self, declared: str | None) -> None:
        if declared is None:
            return
        if not declared.isascii() or not declared.isdigit():
            raise _bad("Content-Length 不是数字", "Content-Length is not a number")
        if int(declared) > self.max_body_bytes:
            raise self._too_large()

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; the app sees an empty body
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise self._too_large()
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)

    def _too_large(self) -> _TooLarge:
        limit = self.max_body_bytes
        return _TooLarge(
            _bad(f"请求体超过 {limit} 字节的上限", f"the request body is over {limit} bytes")
        )

    def _check_graphql(self, scope: Scope, headers: Headers, body: bytes) -> None:
        if scope["method"] == "GET":
            check_query_params(scope["query_string"], accepts_html=_accepts_html(headers))
        elif scope["method"] == "POST":
            media_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if media_type != "application/json":
                raise _bad("请以 application/json 发送", "send the request as application/json")
            check_json_body(body, batching=self.batching)


class _TooLarge(Exception):
    def __init__(self, error: DomainError) -> None:
        self.error = error


def check_json_body(body: bytes, *, batching: bool) -> None:
    """A GraphQL POST body: UTF-8 JSON, not absurdly nested, an object (or a list of them)."""
    if not body.strip():
        raise _bad("请求体为空", "the request body is empty")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad("请求体不是有效的 UTF-8", "the request body is not valid UTF-8") from None
    data = _parse_json(body, "请求体", "the request body")
    if isinstance(data, list) and batching:
        if not data:
            raise _bad("批量请求为空", "the batch is empty")
        for operation in data:
            _check_operation(operation)
    elif isinstance(data, list):
        raise _bad("不支持批量请求，请发送一个 JSON 对象", "batching is off: send one JSON object")
    else:
        _check_operation(data)


def check_query_params(query_string: bytes, *, accepts_html: bool) -> None:
    """A GraphQL GET: `query` present and not empty; `variables`/`extensions` JSON objects."""
    params = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
    if "query" not in params:
        if accepts_html:
            return  # GraphiQL
        raise _bad("缺少 query 参数", "the query parameter is missing")
    if not params["query"].strip():
        raise _bad("query 参数为空", "the query parameter is empty")
    for name in ("variables", "extensions"):
        raw = params.get(name)
        if raw:
            value = _parse_json(raw.encode("utf-8", "replace"), f"{name} 参数", f"{name}")
            if not isinstance(value, dict | None):
                raise _bad(f"{name} 须为 JSON 对象", f"{name} must be a JSON object")


def nesting_exceeds(text: bytes, limit: int) -> bool:
    """Whether JSON text nests deeper than `limit`, found without parsing it.

    Strings are dropped, then only brackets are kept, then each pass removes the innermost
    pairs: all at C speed, at most `limit` passes. Unbalanced text is left to the parser.
    """
    brackets = _STRING.sub(b"", text).translate(None, _NOT_BRACKETS)
    for _ in range(limit):
        brackets, removed = _INNERMOST.subn(b"", brackets)
        if not brackets or not removed:
            return False
    return bool(brackets)


def _parse_json(text: bytes, zh: str, en: str) -> object:
    if nesting_exceeds(text, MAX_JSON_DEPTH):
        raise _bad(
            f"{zh}嵌套超过 {MAX_JSON_DEPTH} 层", f"{en} nests deeper than {MAX_JSON_DEPTH} levels"
        )
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise _bad(f"{zh}不是有效的 JSON", f"{en} is not valid JSON") from None


def _check_operation(operation: object) -> None:
    if not isinstance(operation, dict):
        raise _bad("请求体须为 JSON 对象", "the request body must be a JSON object")
    query = operation.get("query")
    if not isinstance(query, str) or not query.strip():
        raise _bad("query 须为非空字符串", "query must be a non-empty string")
    if not isinstance(operation.get("operationName"), str | None):
        raise _bad("operationName 须为字符串", "operationName must be a string")
    for name in ("variables", "extensions"):
        if not isinstance(operation.get(name), dict | None):
            raise _bad(f"{name} 须为 JSON 对象", f"{name} must be a JSON object")


def _accepts_html(headers: Headers) -> bool:
    accept = headers.get("accept", "")
    return "text/html" in accept or "*/*" in accept


def _bad(zh: str, en: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, None, {"reason": bilingual(zh, en)})


def _replay(body: bytes, receive: Receive) -> Receive:
    """The app reads the body already read here once, then the client's own messages."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
