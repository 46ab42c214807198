import uuid
from datetime import datetime, timedelta

import pytest

from gongji.clock import CHINA
from gongji.errors import DomainError, ErrorCode
from gongji.pagination import decode_cursor
from gongji.payments.rules import VisitType
from gongji.records import rules
from gongji.records.models import RecordKind
from gongji.records.rules import RecordFilter, RecordRole, record_filter


def test_an_empty_filter_narrows_nothing() -> None:
    assert record_filter() == RecordFilter()
    assert record_filter(insured_region="", year="", kind="") == RecordFilter()


def test_the_filter_takes_enum_members_names_or_values_r19() -> None:
    relative = uuid.uuid4()
    f = record_filter(
        insured_region=" 620000 ",
        visit_type="OUTPATIENT",
        year="2026",
        role="as_authorizer",
        relative_id=str(relative),
        kind=RecordKind.PAYMENT,
    )
    assert f.insured_region == "620000"
    assert (f.visit_type, f.year, f.role) == (VisitType.OUTPATIENT, 2026, RecordRole.AS_AUTHORIZER)
    assert (f.relative_id, f.kind) == (relative, RecordKind.PAYMENT)
    assert record_filter(visit_type="11").visit_type is VisitType.OUTPATIENT


@pytest.mark.parametrize(
    ("arguments", "field", "code"),
    [
        ({"insured_region": "62"}, "filter.insuredRegion", ErrorCode.INVALID_REGION),
        ({"visit_type": "DENTAL"}, "filter.visitType", ErrorCode.INVALID_INPUT),
        ({"role": "AS_FRIEND"}, "filter.role", ErrorCode.INVALID_INPUT),
        ({"kind": "GIFT"}, "filter.kind", ErrorCode.INVALID_INPUT),
        ({"year": "26"}, "filter.year", ErrorCode.INVALID_INPUT),
        ({"year": "２０２６"}, "filter.year", ErrorCode.INVALID_INPUT),
        ({"year": 1999}, "filter.year", ErrorCode.INVALID_INPUT),
        ({"relative_id": "not-an-id"}, "filter.relativeId", ErrorCode.INVALID_INPUT),
        ({"authorization_id": "42"}, "filter.authorizationId", ErrorCode.INVALID_INPUT),
    ],
)
def test_a_bad_filter_is_refused_up_front_naming_its_field(
    arguments: dict[str, object], field: str, code: ErrorCode
) -> None:
    with pytest.raises(DomainError) as refused:
        record_filter(**arguments)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_an_institution_filters_neither_by_role_nor_by_relative_r27() -> None:
    rules.check_applicable(RecordFilter(role=RecordRole.AS_PATIENT), institution=False)
    rules.check_applicable(RecordFilter(year=2026), institution=True)
    for f, field in [
        (RecordFilter(role=RecordRole.AS_PATIENT), "filter.role"),
        (RecordFilter(relative_id=uuid.uuid4()), "filter.relativeId"),
    ]:
        with pytest.raises(DomainError) as refused:
            rules.check_applicable(f, institution=True)
        assert (refused.value.code, refused.value.field) == (ErrorCode.FILTER_NOT_APPLICABLE, field)


def test_a_year_is_the_year_in_china() -> None:
    start, end = rules.year_range(2026)
    assert start == datetime(2026, 1, 1, tzinfo=CHINA)
    assert end - start == timedelta(days=365)
    assert start.utcoffset() == timedelta(hours=8)


def test_a_records_cursor_reads_back_as_time_and_record_id() -> None:
    moment = datetime(2026, 3, 10, 10, 0, tzinfo=CHINA)
    key = uuid.UUID("0192f1e0-0000-7000-8000-000000000123")
    assert decode_cursor(rules.encode_cursor(moment, key)) == (moment, key)
