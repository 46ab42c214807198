"""Region policy as data (R3, R5, R10, R13, R15, R16): loaded from TOML, resolved per date."""

from __future__ import annotations

import enum
import tomllib
from dataclasses import dataclass
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Any

from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.regions.code import RegionCode


class RelationshipScope(enum.Enum):
    """共济范围: core = spouse, parents, children; near = 近亲属 as well."""

    CORE = "core"
    NEAR = "near"


class SharingScope(enum.Enum):
    """Where a relative may spend the authorizer's money, against the authorizer's region."""

    CITY = "city"
    PROVINCE = "province"
    NATIONWIDE = "nationwide"


@dataclass(frozen=True)
class RegionPolicy:
    region_code: str
    region_name: str
    province_code: str
    province_name: str
    on: date
    relationship_scope: RelationshipScope
    sharing_scope: SharingScope
    sharing_scope_since: date
    consent_age: int
    binding_cap_at_once: int
    binding_cap_lifetime: int
    invitation_expiry_days: int
    excluded_categories: tuple[str, ...]
    transfer_max_per_day: int
    transfer_max_amount_fen: int
    transfer_quiet_start: time
    transfer_quiet_end: time
    premium_payment_allowed: bool
    commercial_insurance_allowed: bool
    inpatient_allowed: bool
    quota_nearly_used_up_percent: int  # notify both sides once at most this % of a quota is left
    family_notice_required: bool
    inviter_face_verification: bool


_DATED = {"relationship_scope", "sharing_scope"}


def _dated(value: Any, on: date, key: str) -> tuple[Any, date]:
    if not isinstance(value, list):
        return value, date.min
    applicable = [(date.fromisoformat(v["since"]), v["value"]) for v in value]
    applicable = [item for item in applicable if item[0] <= on]
    if not applicable:
        raise ValueError(f"policy key {key} has no value on {on}")
    since, chosen = max(applicable, key=lambda item: item[0])
    return chosen, since


class PolicyBook:
    """Every region's policy. Build once per process; it is read-only."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.commitment_letter_version: str = data["commitment_letter_version"]
        self.commitment_letter_text: str = data["commitment_letter_text"].strip()
        self.family_notice_version: str = data["family_notice_version"]
        self.family_notice_text: str = data["family_notice_text"].strip()
        self._national: dict[str, Any] = data["national"]
        self._regions: dict[str, dict[str, Any]] = data["regions"]
        for code in self._regions:
            RegionCode(code)
        for code in self._regions:  # every region must resolve today: fail at start, not later
            self.policy_for(code, date.today())

    @classmethod
    def load(cls, path: str | None = None) -> PolicyBook:
        if path:
            text = Path(path).read_text(encoding="utf-8")
        else:
            text = resources.files("gongji.regions").joinpath("policies.toml").read_text("utf-8")
        return cls(tomllib.loads(text))

    def knows(self, code: str) -> bool:
        return str(RegionCode(code).province) in self._regions

    def region_name(self, code: str) -> str:
        """The name of the code, its city or its province, whichever the book has; else the code."""
        try:
            region = RegionCode(code)
        except DomainError:
            return code
        for candidate in (region, region.city, region.province):
            if str(candidate) in self._regions:
                return str(self._regions[str(candidate)]["name"])
        return code

    def policy_for(self, code: str, on: date) -> RegionPolicy:
        region = RegionCode(code)
        code, province = str(region), str(region.province)
        if province not in self._regions:
            raise DomainError(
                ErrorCode.INVALID_REGION,
                "regionCode",
                {"reason": bilingual("未知省份", "unknown province")},
            )
        merged = dict(self._national)
        for layer in (province, str(region.city), code):
            merged.update(self._regions.get(layer, {}))
        relationship, _ = _dated(merged["relationship_scope"], on, "relationship_scope")
        sharing, since = _dated(merged["sharing_scope"], on, "sharing_scope")
        return RegionPolicy(
            region_code=code,
            region_name=self.region_name(code),
            province_code=province,
            province_name=self.region_name(province),
            on=on,
            relationship_scope=RelationshipScope(relationship),
            sharing_scope=SharingScope(sharing),
            sharing_scope_since=since,
            consent_age=int(merged["consent_age"]),
            binding_cap_at_once=int(merged["binding_cap_at_once"]),
            binding_cap_lifetime=int(merged["binding_cap_lifetime"]),
            invitation_expiry_days=int(merged["invitation_expiry_days"]),
            excluded_categories=tuple(merged["excluded_categories"]),
            transfer_max_per_day=int(merged["transfer_max_per_day"]),
            transfer_max_amount_fen=int(merged["transfer_max_amount_fen"]),
            transfer_quiet_start=time.fromisoformat(merged["transfer_quiet_start"]),
            transfer_quiet_end=time.fromisoformat(merged["transfer_quiet_end"]),
            premium_payment_allowed=bool(merged["premium_payment_allowed"]),
            commercial_insurance_allowed=bool(merged["commercial_insurance_allowed"]),
            inpatient_allowed=bool(merged["inpatient_allowed"]),
            quota_nearly_used_up_percent=int(merged["quota_nearly_used_up_percent"]),
            family_notice_required=bool(merged["family_notice_required"]),
            inviter_face_verification=bool(merged["inviter_face_verification"]),
        )


_SCOPE_WORDS = {
    SharingScope.CITY: ("本统筹区（市）内", "within the same city (统筹区)"),
    SharingScope.PROVINCE: ("本省内", "anywhere in the same province"),
    SharingScope.NATIONWIDE: ("全国范围内", "anywhere in mainland China"),
}
_RELATION_WORDS = {
    RelationshipScope.CORE: ("配偶、父母、子女", "spouse, parents and children"),
    RelationshipScope.NEAR: (
        "配偶、父母、子女，以及兄弟姐妹、祖父母、外祖父母、孙子女、外孙子女等近亲属",
        "spouse, parents, children, and near relatives: siblings, grandparents, grandchildren",
    ),
}


def explain(policy: RegionPolicy, language: str) -> list[str]:
    """The policy in sentences a member understands."""
    en = language == "en"
    idx = 1 if en else 0
    yuan = policy.transfer_max_amount_fen // 100
    quiet = f"{policy.transfer_quiet_start:%H:%M}–{policy.transfer_quiet_end:%H:%M}"
    if en:
        lines = [
            f"Who may share: {_RELATION_WORDS[policy.relationship_scope][idx]}. "
            "Never in-laws such as a spouse's parents.",
            f"Where family money can be spent: {_SCOPE_WORDS[policy.sharing_scope][idx]}.",
            f"Relatives aged {policy.consent_age} or over accept with face verification; "
            "younger children join directly.",
            f"At most {policy.binding_cap_at_once} relatives bound at once and "
            f"{policy.binding_cap_lifetime} in a lifetime.",
            f"An invitation expires after {policy.invitation_expiry_days} days.",
            f"Wallet transfers: at most {policy.transfer_max_per_day} a day, {yuan} yuan each, "
            f"none between {quiet}.",
            "Premiums for a relative's resident insurance: "
            + ("allowed." if policy.premium_payment_allowed else "not allowed."),
        ]
    else:
        lines = [
            f"共济范围：{_RELATION_WORDS[policy.relationship_scope][idx]}；"
            "配偶的父母等姻亲不在范围内。",
            f"共济资金可在{_SCOPE_WORDS[policy.sharing_scope][idx]}的定点医药机构使用。",
            f"年满{policy.consent_age}周岁的亲属须人脸核身后加入，未满{policy.consent_age}周岁直接加入。",
            f"同时绑定不超过{policy.binding_cap_at_once}人，累计不超过{policy.binding_cap_lifetime}人。",
            f"邀请{policy.invitation_expiry_days}天内有效。",
            f"钱包划转：每天最多{policy.transfer_max_per_day}次，每次不超过{yuan}元，"
            f"{quiet}不可划转。",
            "代缴亲属城乡居民医保费："
            + ("可以。" if policy.premium_payment_allowed else "不可以。"),
        ]
    return lines
