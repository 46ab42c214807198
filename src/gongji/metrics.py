"""Prometheus metrics: what an operator watches, in one place.

Labels are bounded: an operation is named by the client's `operationName` only when it is
a plain GraphQL name and one of the first `MAX_OPERATION_NAMES` seen (else `other`), so a
caller cannot grow the series without end; never the document. With several workers,
set `PROMETHEUS_MULTIPROC_DIR` to an empty directory shared by them (`gongji serve
--workers N` does) and every worker's figures are summed at scrape time.
"""

from __future__ import annotations

import os
import re
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client import REGISTRY as PROCESS_REGISTRY
from starlette.requests import Request
from starlette.responses import Response

MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")
_known: set[str] = set()

REQUESTS = Counter(
    "gongji_requests",
    "HTTP requests answered, by route, GraphQL operation name and outcome.",
    ["route", "operation", "outcome"],
)
LATENCY = Histogram(
    "gongji_request_duration_seconds",
    "Time to answer a request, by route and GraphQL operation name.",
    ["route", "operation"],
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0),
)
USER_ERRORS = Counter(
    "gongji_user_errors", "Typed rejections returned to callers, by ErrorCode.", ["code"]
)
MONEY_MOVES = Counter(
    "gongji_money_moves", "Money-moving use cases committed, by kind (pay, refund, …).", ["kind"]
)
MONEY_FEN = Counter(
    "gongji_money_moved_fen", "Amounts committed, in fen, by kind (pay, refund, …).", ["kind"]
)
THROTTLED = Counter(
    "gongji_throttled", "Calls refused by a rate limit, by operation.", ["operation"]
)
DB_POOL = Gauge(
    "gongji_db_pool_connections",
    "Database connections of this worker's pool, by state (open, idle).",
    ["state"],
    multiprocess_mode="livesum",
)


def operation_label(name: str | None) -> str:
    """The client's operation name, if it is a GraphQL name and the set is not full."""
    if not name:
        return "anonymous"
    if name in _known:
        return name
    if _NAME.match(name) and len(_known) < MAX_OPERATION_NAMES:
        _known.add(name)
        return name
    return "other"


def observe_request(route: str, operation: str | None, outcome: str, seconds: float) -> None:
    label = operation_label(operation)
    REQUESTS.labels(route, label, outcome).inc()
    LATENCY.labels(route, label).observe(seconds)


def observe_user_error(code: str) -> None:
    USER_ERRORS.labels(code).inc()


def observe_money(kind: str, fen: int) -> None:
    MONEY_MOVES.labels(kind).inc()
    MONEY_FEN.labels(kind).inc(fen)


def observe_throttled(operation: str) -> None:
    THROTTLED.labels(operation).inc()


def observe_pool(open_connections: int, idle: int) -> None:
    DB_POOL.labels("open").set(open_connections)
    DB_POOL.labels("idle").set(idle)


def _registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return PROCESS_REGISTRY
    registry = CollectorRegistry()
    collector: Any = multiprocess.MultiProcessCollector  # untyped in prometheus_client 0.26
    collector(registry)
    return registry


async def scrape(_request: Request) -> Response:
    """GET /metrics in Prometheus' text format (every worker's, in multi-process mode)."""
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)
