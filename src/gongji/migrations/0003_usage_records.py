from tortoise import migrations
from tortoise.migrations import operations as ops
from gongji.payments.rules import VisitType
from gongji.records.models import RecordKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('gongji', '0002_ledger_wallets_payments')]

    initial = False

    operations = [
        ops.CreateModel(
            name='UsageRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('kind', fields.CharEnumField(description='PAYMENT: payment\nREFUND: refund\nPREMIUM: premium\nWALLET_TRANSFER: wallet_transfer', enum_type=RecordKind, max_length=16)),
                ('visit_type', fields.CharEnumField(null=True, description='OUTPATIENT: 11\nCHRONIC_OUTPATIENT: 14\nINPATIENT: 21\nPHARMACY: 41', enum_type=VisitType, max_length=2)),
                ('institution', fields.ForeignKeyField('gongji.Institution', source_field='institution_id', null=True, db_constraint=True, to_field='id', related_name='usage_records', on_delete=OnDelete.RESTRICT)),
                ('patient', fields.ForeignKeyField('gongji.Member', source_field='patient_id', null=True, db_constraint=True, to_field='id', related_name='usage_as_patient', on_delete=OnDelete.RESTRICT)),
                ('authorizer', fields.ForeignKeyField('gongji.Member', source_field='authorizer_id', null=True, db_constraint=True, to_field='id', related_name='usage_as_authorizer', on_delete=OnDelete.RESTRICT)),
                ('authorization_id', fields.UUIDField(null=True)),
                ('patient_region', fields.CharField(null=True, max_length=6)),
                ('authorizer_region', fields.CharField(null=True, max_length=6)),
                ('total', fields.BigIntField(default=0)),
                ('fund', fields.BigIntField(default=0)),
                ('family', fields.BigIntField(default=0)),
                ('cash', fields.BigIntField(default=0)),
                ('amount', fields.BigIntField()),
                ('reference', fields.CharField(max_length=64)),
            ],
            options={'table': 'usage_record', 'app': 'gongji', 'indexes': [Index(fields=['patient_id', 'occurred_at', 'id']), Index(fields=['authorizer_id', 'occurred_at', 'id']), Index(fields=['institution_id', 'occurred_at', 'id'])], 'pk_attr': 'id', 'table_description': 'A read model: never updated, so keyset pages stay stable under concurrent inserts.'},
            bases=['Model'],
        ),
    ]
