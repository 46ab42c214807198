"""How long an in-person verification at the service hall stands (#10.4), without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from gongji.errors import DomainError, ErrorCode
from gongji.hall.rules import HALL_VERIFICATION_TTL, agent_openid, check_usable
from gongji.identity.models import FaceVerificationStatus

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("status", [FaceVerificationStatus.STARTED, FaceVerificationStatus.PASSED])
def test_a_verification_stands_until_it_expires(status: FaceVerificationStatus) -> None:
    check_usable(status, NOW + HALL_VERIFICATION_TTL, NOW)
    with pytest.raises(DomainError) as expired:
        check_usable(status, NOW, NOW)
    assert expired.value.code is ErrorCode.HALL_VERIFICATION_EXPIRED
    assert expired.value.params == {"minutes": 15}


def test_a_failed_verification_never_stands() -> None:
    with pytest.raises(DomainError) as failed:
        check_usable(FaceVerificationStatus.FAILED, NOW + HALL_VERIFICATION_TTL, NOW)
    assert failed.value.code is ErrorCode.FACE_VERIFICATION_FAILED


def test_each_agents_window_is_its_own_camera() -> None:
    one, other = uuid.uuid4(), uuid.uuid4()
    assert agent_openid(one) != agent_openid(other)
    assert agent_openid(one).startswith("agent:")
