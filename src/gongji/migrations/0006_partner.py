from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('gongji', '0005_agent_scope')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PaymentCode',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('code_hash', fields.CharField(unique=True, max_length=64)),
                ('patient', fields.ForeignKeyField('gongji.Member', source_field='patient_id', db_constraint=True, to_field='id', related_name='payment_codes', on_delete=OnDelete.RESTRICT)),
                ('authorization', fields.ForeignKeyField('gongji.Authorization', source_field='authorization_id', db_constraint=True, to_field='id', related_name='payment_codes', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('payment', fields.ForeignKeyField('gongji.Payment', source_field='payment_id', null=True, db_constraint=True, to_field='id', related_name='payment_codes', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'payment_code', 'app': 'gongji', 'pk_attr': 'id', 'table_description': '付款码: a one-time code the patient shows at the counter, like the 医保码.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ApiKey',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ApiKey',
            name='last_used_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='Bill',
            index=Index(fields=['institution_id', 'created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Bill',
            index=Index(fields=['patient_id', 'created_at', 'id']),
        ),
    ]
