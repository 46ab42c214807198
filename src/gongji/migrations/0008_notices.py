from tortoise import migrations
from tortoise.migrations import operations as ops
from gongji.notices.models import WechatState
from gongji.notices.rules import NoticeKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from gongji.keys import new_key
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('gongji', '0007_uuid_keys')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notice',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_key, unique=True, db_index=True)),
                ('recipient', fields.ForeignKeyField('gongji.Member', source_field='recipient_id', db_constraint=True, to_field='id', related_name='notices', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='INVITATION_RECEIVED: invitation_received\nINVITATION_ACCEPTED: invitation_accepted\nINVITATION_DECLINED: invitation_declined\nINVITATION_REVOKED: invitation_revoked\nINVITATION_EXPIRED: invitation_expired\nAUTHORIZATION_GRANTED: authorization_granted\nPAY_WITH_FAMILY_REMINDER: pay_with_family_reminder\nAUTHORIZATION_CHANGED: authorization_changed\nAUTHORIZATION_REVOKED: authorization_revoked\nAUTHORIZATION_ENDED: authorization_ended\nAUTHORIZATION_USED: authorization_used\nAUTHORIZATION_REFUNDED: authorization_refunded\nQUOTA_NEARLY_USED_UP: quota_nearly_used_up', enum_type=NoticeKind, max_length=32)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('text_zh', fields.CharField(max_length=255)),
                ('text_en', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('wechat_state', fields.CharEnumField(default=WechatState.PENDING, description='PENDING: pending\nSENT: sent\nSKIPPED: skipped', enum_type=WechatState, max_length=8)),
                ('wechat_attempts', fields.IntField(default=0)),
                ('wechat_next_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('wechat_sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('wechat_error', fields.CharField(default='', max_length=255)),
            ],
            options={'table': 'notice', 'app': 'gongji', 'indexes': [Index(fields=['recipient_id', 'created_at', 'id']), Index(fields=['wechat_state', 'wechat_next_at'])], 'pk_attr': 'id', 'table_description': 'One thing a member should know of, with its read state and WeChat progress.'},
            bases=['Model'],
        ),
    ]
