from datetime import UTC, date, datetime, timedelta

import pytest

from gongji.errors import DomainError, ErrorCode
from gongji.families import rules
from gongji.families.rules import BindingCounts, InvitationStatus, Relationship
from gongji.regions.policy import PolicyBook

NOW = datetime(2026, 3, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def book() -> PolicyBook:
    return PolicyBook.load()


@pytest.mark.parametrize("relationship", [Relationship.SPOUSE_PARENT, Relationship.OTHER_IN_LAW])
def test_in_laws_are_refused_with_their_own_code_r3(
    book: PolicyBook, relationship: Relationship
) -> None:
    with pytest.raises(DomainError) as caught:
        rules.check_relationship(relationship, book.policy_for("620100", date(2026, 1, 1)))
    assert caught.value.code is ErrorCode.RELATIONSHIP_IN_LAW_NOT_ALLOWED
    assert caught.value.rule == "R3"


def test_sibling_needs_near_relative_scope_r3(book: PolicyBook) -> None:
    with pytest.raises(DomainError) as caught:
        rules.check_relationship(Relationship.SIBLING, book.policy_for("410100", date(2024, 6, 1)))
    assert caught.value.code is ErrorCode.RELATIONSHIP_NOT_IN_REGION_SCOPE
    rules.check_relationship(Relationship.SIBLING, book.policy_for("410100", date(2025, 6, 1)))


def test_parent_must_be_older_and_child_younger() -> None:
    older, younger = "11010519491231002X", "620102201406010133"
    rules.check_relationship_fits_ages(Relationship.CHILD, older, younger)
    rules.check_relationship_fits_ages(Relationship.SPOUSE, older, younger)
    with pytest.raises(DomainError) as caught:
        rules.check_relationship_fits_ages(Relationship.PARENT, older, younger)
    assert caught.value.code is ErrorCode.RELATIONSHIP_AGE_IMPLAUSIBLE


def test_binding_caps_count_the_new_binding_r5(book: PolicyBook) -> None:
    urumqi = book.policy_for("650100", date(2026, 1, 1))
    rules.check_binding_caps(BindingCounts(at_once=9, lifetime=19), urumqi)
    with pytest.raises(DomainError) as at_once:
        rules.check_binding_caps(BindingCounts(at_once=10, lifetime=10), urumqi)
    assert at_once.value.code is ErrorCode.BINDING_CAP_REACHED
    assert "10" in at_once.value.message("zh")
    with pytest.raises(DomainError) as lifetime:
        rules.check_binding_caps(BindingCounts(at_once=1, lifetime=20), urumqi)
    assert lifetime.value.code is ErrorCode.LIFETIME_BINDING_CAP_REACHED


def test_face_verification_from_the_consent_age_r4(book: PolicyBook) -> None:
    policy = book.policy_for("650100", date(2026, 1, 1))
    assert not rules.needs_face_verification(15, policy)
    assert rules.needs_face_verification(16, policy)


def test_pending_invitation_expires_at_its_deadline_r7() -> None:
    deadline = NOW + timedelta(days=7)
    assert (
        rules.effective_status(InvitationStatus.PENDING, deadline, NOW) is InvitationStatus.PENDING
    )
    assert (
        rules.effective_status(InvitationStatus.PENDING, deadline, deadline)
        is InvitationStatus.EXPIRED
    )
    assert (
        rules.effective_status(InvitationStatus.DECLINED, deadline, deadline)
        is InvitationStatus.DECLINED
    )
    with pytest.raises(DomainError) as caught:
        rules.check_pending(InvitationStatus.PENDING, deadline, deadline)
    assert caught.value.code is ErrorCode.INVITATION_EXPIRED


def test_commitment_letter_must_be_accepted_in_its_current_version_r6() -> None:
    with pytest.raises(DomainError) as refused:
        rules.check_commitment(False, "2024.1", "2024.1")
    assert refused.value.code is ErrorCode.COMMITMENT_NOT_ACCEPTED
    with pytest.raises(DomainError) as outdated:
        rules.check_commitment(True, "2023.1", "2024.1")
    assert outdated.value.code is ErrorCode.COMMITMENT_VERSION_OUTDATED
    rules.check_commitment(True, "2024.1", "2024.1")


def test_who_a_member_may_authorize_follows_the_family_tree_r3(book: PolicyBook) -> None:
    policy = book.policy_for("620100", date(2026, 3, 10))
    r = Relationship
    assert rules.may_authorize(r.SPOUSE, None, policy)  # a spouse authorizes the creator
    assert rules.may_authorize(None, r.PARENT, policy)  # the creator his mother
    assert not rules.may_authorize(r.SPOUSE, r.PARENT, policy)  # her in-law: never
    assert not rules.may_authorize(r.SIBLING, r.SPOUSE, policy)  # an in-law too


@pytest.mark.parametrize(
    ("status", "zh", "en"),
    [
        (InvitationStatus.ACCEPTED, "该邀请已处理（已接受）", "… no longer pending (accepted)"),
        (InvitationStatus.REVOKED, "该邀请已处理（已撤回）", "… no longer pending (revoked)"),
    ],
)
def test_a_decided_invitation_is_named_in_the_callers_language(
    status: InvitationStatus, zh: str, en: str
) -> None:
    error = rules.not_pending(status)
    assert error.code is ErrorCode.INVITATION_NOT_PENDING
    assert error.message("zh") == zh
    assert error.message("en").endswith(en.removeprefix("…"))
