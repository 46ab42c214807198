from tortoise import migrations
from tortoise.migrations import operations as ops
from gongji.fraud.models import HoldStatus
from gongji.ledger.models import AccountKind
from gongji.wallets.models import FamilyTransferStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from gongji.keys import new_key
from tortoise import fields
from tortoise.indexes import Index

# Chained last (after 0011). Account.kind gains TRANSFER_ESCROW: as in 0010, not altered (the
# values live only in the column comment, and AlterField on SQLite would rebuild
# ledger_account without its unique (kind, owner)).
class Migration(migrations.Migration):
    dependencies = [('gongji', '0011_service_hall')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuthorizationHold',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_key, unique=True, db_index=True)),
                ('authorization', fields.ForeignKeyField('gongji.Authorization', source_field='authorization_id', db_constraint=True, to_field='id', related_name='holds', on_delete=OnDelete.RESTRICT)),
                ('payment', fields.ForeignKeyField('gongji.Payment', source_field='payment_id', null=True, db_constraint=True, to_field='id', related_name='holds', on_delete=OnDelete.RESTRICT)),
                ('rule_id', fields.CharField(max_length=16)),
                ('fired', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('region', fields.CharField(max_length=6)),
                ('status', fields.CharEnumField(description='OPEN: open\nRELEASED: released\nENDED: ended', enum_type=HoldStatus, max_length=8)),
                ('placed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolved_by', fields.CharField(default='', max_length=64)),
                ('reason', fields.CharField(default='', max_length=255)),
            ],
            options={'table': 'authorization_hold', 'app': 'gongji', 'indexes': [Index(fields=['status', 'placed_at', 'id']), Index(fields=['authorization_id', 'placed_at'])], 'pk_attr': 'id', 'table_description': '套取 suspected: a rule fired on a payment and the authorization waits for an agent.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FamilyTransfer',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_key, unique=True, db_index=True)),
                ('sender', fields.ForeignKeyField('gongji.Member', source_field='sender_id', db_constraint=True, to_field='id', related_name='family_transfers_sent', on_delete=OnDelete.RESTRICT)),
                ('recipient', fields.ForeignKeyField('gongji.Member', source_field='recipient_id', db_constraint=True, to_field='id', related_name='family_transfers_received', on_delete=OnDelete.RESTRICT)),
                ('amount', fields.BigIntField()),
                ('status', fields.CharEnumField(description='PENDING: pending\nACCEPTED: accepted\nDECLINED: declined\nRETURNED: returned', enum_type=FamilyTransferStatus, max_length=8)),
                ('pending_slot', fields.CharField(null=True, unique=True, max_length=80)),
                ('local_date', fields.DateField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('settled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'family_transfer', 'app': 'gongji', 'indexes': [Index(fields=['status', 'due_at']), Index(fields=['sender_id', 'local_date']), Index(fields=['sender_id', 'created_at', 'id']), Index(fields=['recipient_id', 'created_at', 'id'])], 'pk_attr': 'id', 'table_description': "亲情转账: wallet money sent to a relative's wallet, theirs once they accept (R10)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Authorization',
            name='hold_cleared_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Authorization',
            name='hold_rule',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.AddField(
            model_name='Authorization',
            name='month_of',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Authorization',
            name='month_spent',
            field=fields.BigIntField(null=True, default=0),
        ),
        ops.AddField(
            model_name='Authorization',
            name='monthly_cap',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Authorization',
            name='quota_granted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Authorization',
            name='valid_until',
            field=fields.DateField(null=True),
        ),
        ops.AddIndex(
            model_name='Payment',
            index=Index(fields=['authorization_id', 'created_at']),
        ),
    ]
