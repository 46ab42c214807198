from tortoise import migrations
from tortoise.migrations import operations as ops
from gongji.credits.models import CreditKind
from gongji.lifecycle.models import HeirShareStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

# Account.kind gains ESTATE: a CharEnumField's values live only in its column comment, and
# AlterField on SQLite rebuilds ledger_account without its unique (kind, owner): not altered.
class Migration(migrations.Migration):
    dependencies = [('gongji', '0008_notices')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Credit',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('source_reference', fields.CharField(unique=True, max_length=64)),
                ('member', fields.ForeignKeyField('gongji.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='credits', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='MONTHLY: monthly\nOPENING_CARRYOVER: opening_carryover\nOPENING_CURRENT: opening_current', enum_type=CreditKind, max_length=24)),
                ('period', fields.CharField(max_length=7)),
                ('amount', fields.BigIntField()),
                ('content_hash', fields.CharField(max_length=64)),
                ('ledger_transaction_id', fields.UUIDField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'credit', 'app': 'gongji', 'pk_attr': 'id', 'table_description': 'One credit as the region sent it. `source_reference` makes a re-sent line a no-op.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HeirShare',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('deceased', fields.ForeignKeyField('gongji.Member', source_field='deceased_id', db_constraint=True, to_field='id', related_name='estate_shares', on_delete=OnDelete.RESTRICT)),
                ('heir_name', fields.CharField(max_length=64)),
                ('heir_id_number_sealed', fields.CharField(max_length=160)),
                ('heir_id_number_index', fields.CharField(db_index=True, max_length=64)),
                ('heir', fields.ForeignKeyField('gongji.Member', source_field='heir_id', null=True, db_constraint=True, to_field='id', related_name='inherited_shares', on_delete=OnDelete.RESTRICT)),
                ('share', fields.CharField(max_length=32)),
                ('amount', fields.BigIntField()),
                ('status', fields.CharEnumField(description='HELD: held\nPAID: paid', enum_type=HeirShareStatus, max_length=8)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('paid_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'heir_share', 'app': 'gongji', 'unique_together': (('deceased', 'heir_id_number_index'),), 'pk_attr': 'id', 'table_description': "继承: one heir's share of a deceased member's balance (R20)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Member',
            name='outpatient_pool_as_of',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Member',
            name='outpatient_pool_balance',
            field=fields.BigIntField(null=True),
        ),
    ]
