"""Pure rules for the service hall 医保服务大厅: how long an in-person verification stands."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from gongji.errors import DomainError, ErrorCode
from gongji.identity.models import FaceVerificationStatus

# The member stands at the window: a passed verification covers the visit, not the day.
HALL_VERIFICATION_TTL = timedelta(minutes=15)
VERIFY_FIELD = "verifyId"


def agent_openid(agent_id: uuid.UUID) -> str:
    """The face provider's caller id for a verification run at an agent's window."""
    return f"agent:{agent_id}"


def check_usable(status: FaceVerificationStatus, expires_at: datetime, now: datetime) -> None:
    """A verification stands until it expires; one that failed never does."""
    if status is FaceVerificationStatus.FAILED:
        raise DomainError(ErrorCode.FACE_VERIFICATION_FAILED, VERIFY_FIELD)
    if now >= expires_at:
        minutes = HALL_VERIFICATION_TTL.seconds // 60
        raise DomainError(ErrorCode.HALL_VERIFICATION_EXPIRED, VERIFY_FIELD, {"minutes": minutes})
