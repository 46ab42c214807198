"""Notices 通知: written in the same transaction as the change they report (an outbox)."""

from __future__ import annotations

import enum
import uuid
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from gongji.keys import new_key
from gongji.notices.rules import NoticeKind

if TYPE_CHECKING:
    from gongji.members.models import Member


class WechatState(enum.Enum):
    """The WeChat subscription-message channel's progress for one notice."""

    PENDING = "pending"  # to send (again at `wechat_next_at`)
    SENT = "sent"
    SKIPPED = "skipped"  # no template for its kind, or the recipient has no WeChat user


class Notice(Model):
    """One thing a member should know of, with its read state and WeChat progress."""

    id = fields.UUIDField(primary_key=True, default=new_key)
    recipient: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="notices", on_delete=fields.RESTRICT
    )
    recipient_id: uuid.UUID  # set by Tortoise beside the relation; declared for mypy
    kind = fields.CharEnumField(NoticeKind, max_length=32)
    data: dict[str, Any] = fields.JSONField(default=dict)  # the structured fields (rules.FIELDS)
    text_zh = fields.CharField(max_length=255)
    text_en = fields.CharField(max_length=255)
    created_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)
    wechat_state = fields.CharEnumField(WechatState, max_length=8, default=WechatState.PENDING)
    wechat_attempts = fields.IntField(default=0)
    wechat_next_at = fields.DatetimeField(null=True)  # also a lease while a worker sends it
    wechat_sent_at = fields.DatetimeField(null=True)
    wechat_error = fields.CharField(max_length=255, default="")

    class Meta:
        table = "notice"
        indexes = (("recipient_id", "created_at", "id"), ("wechat_state", "wechat_next_at"))
