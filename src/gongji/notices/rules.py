"""What a notice says, and when the quota is nearly used up: pure decisions, no I/O.

A notice carries structured fields (names, amounts in fen, ids); its Chinese and English
texts are built from them here, once, when it is written. Never line items, never an ID
number or a phone: only names, institutions, amounts and what is left.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gongji.money import format_yuan


class NoticeKind(enum.Enum):
    """Every event a person is told of. Stable names: clients switch on them."""

    INVITATION_RECEIVED = "invitation_received"
    INVITATION_ACCEPTED = "invitation_accepted"
    INVITATION_DECLINED = "invitation_declined"
    INVITATION_REVOKED = "invitation_revoked"
    INVITATION_EXPIRED = "invitation_expired"
    AUTHORIZATION_GRANTED = "authorization_granted"
    PAY_WITH_FAMILY_REMINDER = "pay_with_family_reminder"
    AUTHORIZATION_CHANGED = "authorization_changed"
    AUTHORIZATION_REVOKED = "authorization_revoked"
    AUTHORIZATION_ENDED = "authorization_ended"
    AUTHORIZATION_USED = "authorization_used"
    AUTHORIZATION_REFUNDED = "authorization_refunded"
    QUOTA_NEARLY_USED_UP = "quota_nearly_used_up"
    TRANSFER_RECEIVED = "transfer_received"
    TRANSFER_ACCEPTED = "transfer_accepted"
    TRANSFER_DECLINED = "transfer_declined"
    TRANSFER_RETURNED = "transfer_returned"
    HOLD_PLACED = "hold_placed"
    HOLD_RELEASED = "hold_released"


# The structured fields a notice may carry, and what each holds.
FIELDS = {
    "counterpart": "the other person's name",
    "institution": "the institution's name",
    "group": "the family group's name",
    "amount": "fen",
    "quota": "fen",
    "remaining": "fen",
    "to_wallet": "a refund went to the wallet (the authorization had ended)",
    "authorization_id": "id",
    "invitation_id": "id",
    "payment_id": "id",
    "transfer_id": "id",
    "rule": "the fraud rule's id (R21)",
}


@dataclass(frozen=True)
class Draft:
    """A notice to be written: for whom, what happened, and its fields."""

    recipient_id: Any  # uuid.UUID of a Member
    kind: NoticeKind
    fields: Mapping[str, Any] = field(default_factory=dict)


def _yuan(fields: Mapping[str, Any], name: str) -> str:
    return format_yuan(int(fields.get(name) or 0))


Texts = Callable[[Mapping[str, Any]], tuple[str, str]]

_TEXTS: dict[NoticeKind, Texts] = {
    NoticeKind.INVITATION_RECEIVED: lambda f: (
        f"{f['counterpart']}邀请您加入家庭共济组“{f['group']}”",
        f"{f['counterpart']} invites you to the family group “{f['group']}”",
    ),
    NoticeKind.INVITATION_ACCEPTED: lambda f: (
        f"{f['counterpart']}已接受您的邀请，加入“{f['group']}”",
        f"{f['counterpart']} accepted your invitation to “{f['group']}”",
    ),
    NoticeKind.INVITATION_DECLINED: lambda f: (
        f"{f['counterpart']}拒绝了您加入“{f['group']}”的邀请",
        f"{f['counterpart']} declined your invitation to “{f['group']}”",
    ),
    NoticeKind.INVITATION_REVOKED: lambda f: (
        f"{f['counterpart']}撤回了加入“{f['group']}”的邀请",
        f"{f['counterpart']} withdrew the invitation to “{f['group']}”",
    ),
    NoticeKind.INVITATION_EXPIRED: lambda f: (
        f"加入“{f['group']}”的邀请（{f['counterpart']}）已过期",
        f"The invitation to “{f['group']}” ({f['counterpart']}) has expired",
    ),
    NoticeKind.AUTHORIZATION_GRANTED: lambda f: (
        f"{f['counterpart']}授权您使用家庭共济额度{_yuan(f, 'quota')}元",
        f"{f['counterpart']} authorized you to spend {_yuan(f, 'quota')} yuan of family money",
    ),
    NoticeKind.PAY_WITH_FAMILY_REMINDER: lambda f: (
        "绑定成功。就医购药结算时，请选择使用“家庭共济”支付",
        "Bound. When you pay at a hospital or pharmacy, choose “家庭共济” (family mutual aid)",
    ),
    NoticeKind.AUTHORIZATION_CHANGED: lambda f: (
        f"{f['counterpart']}将给您的共济额度调整为{_yuan(f, 'quota')}元，"
        f"剩余{_yuan(f, 'remaining')}元",
        f"{f['counterpart']} changed your family quota to {_yuan(f, 'quota')} yuan; "
        f"{_yuan(f, 'remaining')} yuan left",
    ),
    NoticeKind.AUTHORIZATION_REVOKED: lambda f: (
        f"{f['counterpart']}解除了共济授权，未使用的{_yuan(f, 'amount')}元已退回授权人钱包",
        f"{f['counterpart']} ended the family authorization; the unspent "
        f"{_yuan(f, 'amount')} yuan returned to the authorizer's wallet",
    ),
    NoticeKind.AUTHORIZATION_ENDED: lambda f: (
        f"与{f['counterpart']}的共济授权已结束，未使用的{_yuan(f, 'amount')}元已退回授权人钱包",
        f"The family authorization with {f['counterpart']} has ended; the unspent "
        f"{_yuan(f, 'amount')} yuan returned to the authorizer's wallet",
    ),
    NoticeKind.AUTHORIZATION_USED: lambda f: (
        f"{f['counterpart']}在{f['institution']}使用共济资金{_yuan(f, 'amount')}元，"
        f"额度剩余{_yuan(f, 'remaining')}元",
        f"{f['counterpart']} paid {_yuan(f, 'amount')} yuan of your family money at "
        f"{f['institution']}; {_yuan(f, 'remaining')} yuan left",
    ),
    NoticeKind.AUTHORIZATION_REFUNDED: lambda f: (
        f"{f['institution']}退回{f['counterpart']}的共济支付{_yuan(f, 'amount')}元"
        + ("，已退回您的钱包" if f.get("to_wallet") else f"，额度剩余{_yuan(f, 'remaining')}元"),
        f"{f['institution']} refunded {_yuan(f, 'amount')} yuan of {f['counterpart']}'s "
        "family payment"
        + (
            "; it returned to your wallet"
            if f.get("to_wallet")
            else f"; {_yuan(f, 'remaining')} yuan left"
        ),
    ),
    NoticeKind.QUOTA_NEARLY_USED_UP: lambda f: (
        f"与{f['counterpart']}的共济额度即将用完：剩余{_yuan(f, 'remaining')}元"
        f"（共{_yuan(f, 'quota')}元）",
        f"The family quota with {f['counterpart']} is nearly used up: "
        f"{_yuan(f, 'remaining')} of {_yuan(f, 'quota')} yuan left",
    ),
    NoticeKind.TRANSFER_RECEIVED: lambda f: (
        f"{f['counterpart']}向您的医保钱包转入{_yuan(f, 'amount')}元，请在次日6:00前确认接收",
        f"{f['counterpart']} sent {_yuan(f, 'amount')} yuan to your wallet; accept it before "
        "06:00 tomorrow",
    ),
    NoticeKind.TRANSFER_ACCEPTED: lambda f: (
        f"{f['counterpart']}已接收您转入的{_yuan(f, 'amount')}元",
        f"{f['counterpart']} accepted the {_yuan(f, 'amount')} yuan you sent",
    ),
    NoticeKind.TRANSFER_DECLINED: lambda f: (
        f"{f['counterpart']}未接收您转入的{_yuan(f, 'amount')}元，已退回您的钱包",
        f"{f['counterpart']} declined the {_yuan(f, 'amount')} yuan you sent; it is back in "
        "your wallet",
    ),
    NoticeKind.TRANSFER_RETURNED: lambda f: (
        f"与{f['counterpart']}之间未确认的转账{_yuan(f, 'amount')}元已退回转出人钱包",
        f"The unaccepted transfer of {_yuan(f, 'amount')} yuan with {f['counterpart']} went "
        "back to the sender's wallet",
    ),
    NoticeKind.HOLD_PLACED: lambda f: (
        f"为保护您的医保基金，给{f['counterpart']}的共济授权已暂停使用（规则{f['rule']}），"
        "待经办机构核实",
        f"To protect your fund, the family authorization for {f['counterpart']} is on hold "
        f"(rule {f['rule']}) until the insurance office checks it",
    ),
    NoticeKind.HOLD_RELEASED: lambda f: (
        f"给{f['counterpart']}的共济授权已核实无误，恢复使用",
        f"The family authorization for {f['counterpart']} was checked and can be used again",
    ),
}


def texts(kind: NoticeKind, fields: Mapping[str, Any]) -> tuple[str, str]:
    """The notice's (Chinese, English) text."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown notice fields: {sorted(unknown)}")
    return _TEXTS[kind](fields)


def nearly_used_up(quota: int, remaining_before: int, remaining_after: int, percent: int) -> bool:
    """The quota just crossed the policy's threshold: at most `percent` % of it is left now,
    and more than that was left before. Told once per crossing, not on every payment."""
    if quota <= 0 or percent <= 0:
        return False
    threshold = quota * percent  # compared ×100 to stay in integers
    return remaining_after * 100 <= threshold < remaining_before * 100


WECHAT_BACKOFF_SECONDS = (10, 60, 300, 1800, 3600)


def wechat_retry_delay(attempts: int) -> int:
    """Seconds before the next try of a failed WeChat message: 10 s, 1 min, 5 min, 30 min,
    then hourly. A message is never given up: it stays unsent until it goes through."""
    return WECHAT_BACKOFF_SECONDS[min(max(attempts, 1), len(WECHAT_BACKOFF_SECONDS)) - 1]
