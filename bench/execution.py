"""Execution alone: one usageRecords page completed N times in-process, graphql-core's
reference executor against the fast path (gongji.api.execution), no database, no HTTP.

    .venv/bin/python -m bench.execution --rows 20 --repeat 2000

The page holds the objects the usageRecords resolver builds (records, people, institutions,
regions); the document is bench.load's, without the arguments. Both executors must give the
same data, or the run stops.
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeGuard

import strawberry
from graphql import DocumentNode, ExecutionResult, GraphQLSchema, MiddlewareManager, execute, parse
from graphql.execution import Executor
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gongji.api.execution import FastExecution
from gongji.api.members import Person, Region
from gongji.api.payments import Institution
from gongji.api.records import PageInfo, UsageRecord, UsageRecordEdge, UsageRecordsPayload
from gongji.api.records import UsageRecordConnection as Connection
from gongji.api.scalars import SCALARS, Money
from gongji.members.rules import InsuranceStatus, InsuranceType
from gongji.payments.rules import VisitType
from gongji.records.models import RecordKind
from gongji.records.rules import RecordFilter
from gongji.records.service import Viewer

PAGE = (
    "{usageRecords{records{"
    "pageInfo{hasNextPage endCursor} edges{cursor node{id occurredAt kind visitType familyPaid "
    "cash total institution{name region{name}} patient{id name idNumber age} "
    "authorizer{id name idNumber age}}}} errors{code}}}"
)


@strawberry.type
class Query:
    usage_records: UsageRecordsPayload


def person(n: int) -> Person:
    region = Region(code="620102", name="城关区")
    return Person(
        id=strawberry.ID(str(uuid.UUID(int=n))),
        name=f"张{n}",
        id_number="620102********123X",
        age=40 + n % 40,
        insurance_type=InsuranceType.EMPLOYEE,
        insured_region=region,
        status=InsuranceStatus.NORMAL,
    )


def page(rows: int) -> Query:
    start = datetime(2025, 6, 1, tzinfo=UTC)
    region = Region(code="620100", name="兰州市")
    institution = Institution(code="H62010000001", name="兰州大学第一医院", region=region)
    edges = []
    for n in range(rows):
        occurred = start - timedelta(hours=n)
        edges.append(
            UsageRecordEdge(
                cursor=f"{occurred.isoformat()}|{n}",
                node=UsageRecord(
                    id=strawberry.ID(str(uuid.UUID(int=1000 + n))),
                    occurred_at=occurred,
                    kind=RecordKind.PAYMENT,
                    visit_type=VisitType.OUTPATIENT if n % 3 else None,
                    institution=institution if n % 5 else None,
                    patient=person(n),
                    authorizer=person(n + 1) if n % 2 else None,
                    insured_region=region,
                    total=Money(12345 + n),
                    pooled_fund=Money(5000),
                    family_paid=Money(4000 + n),
                    cash=Money(3345),
                    amount=Money(-4000 - n),
                ),
            )
        )
    connection = Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=True, end_cursor=edges[-1].cursor),
        viewer=Viewer(member_id=uuid.uuid4()),
        filter=RecordFilter(),
    )
    return Query(usage_records=UsageRecordsPayload(records=connection, errors=[]))


def is_awaitable(value: object) -> TypeGuard[Awaitable[Any]]:
    return optimized_is_awaitable(value)


def run(
    schema: GraphQLSchema, document: DocumentNode, root: Query, executor: type[Executor[Any]]
) -> ExecutionResult:
    result = execute(
        schema,
        document,
        root_value=root,
        middleware=MiddlewareManager(),
        is_awaitable=is_awaitable,
        executor_class=executor,
    )
    assert isinstance(result, ExecutionResult)
    return result


def time_per_page(
    schema: GraphQLSchema,
    document: DocumentNode,
    root: Query,
    executor: type[Executor[Any]],
    n: int,
) -> float:
    """Milliseconds per page over n pages."""
    started = time.perf_counter()
    for _ in range(n):
        run(schema, document, root, executor)
    return (time.perf_counter() - started) / n * 1000


def compare(
    schema: GraphQLSchema, document: DocumentNode, root: Query, repeat: int
) -> tuple[float, float]:
    """Reference and fast path in alternating batches; the best batch of each, since other
    work on a shared machine only ever adds time."""
    reference: Any = StrawberryGraphQLCoreExecutionContext
    slow, fast = [], []
    for _ in range(10):
        slow.append(time_per_page(schema, document, root, reference, repeat // 10))
        fast.append(time_per_page(schema, document, root, FastExecution, repeat // 10))
    return min(slow), min(fast)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    schema = strawberry.Schema(query=Query, config=StrawberryConfig(scalar_map=SCALARS))
    graphql_schema = schema._schema
    document = parse(PAGE)
    root = page(args.rows)
    reference: Any = StrawberryGraphQLCoreExecutionContext
    expected = run(graphql_schema, document, root, reference)
    got = run(graphql_schema, document, root, FastExecution)
    assert expected.errors is None and got.errors is None, (expected.errors, got.errors)
    assert got.data == expected.data, "the fast path changed the data"
    slow, fast = compare(graphql_schema, document, root, args.repeat)
    ratio = slow / fast
    print(f"{args.rows}-row page: reference {slow:.3f} ms, fast path {fast:.3f} ms, ×{ratio:.1f}")


if __name__ == "__main__":
    main()
