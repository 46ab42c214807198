from tortoise import migrations
from tortoise.migrations import operations as ops
from gongji.identity.models import FaceVerificationStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gongji', '0010_operator_events')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HallVerification',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('verify_id', fields.CharField(unique=True, max_length=256)),
                ('out_seq_no', fields.CharField(unique=True, max_length=64)),
                ('agent', fields.ForeignKeyField('gongji.Agent', source_field='agent_id', db_constraint=True, to_field='id', related_name='hall_verifications', on_delete=OnDelete.RESTRICT)),
                ('member', fields.ForeignKeyField('gongji.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='hall_verifications', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(description='STARTED: started\nPASSED: passed\nFAILED: failed', enum_type=FaceVerificationStatus, max_length=8)),
                ('reason', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('passed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'hall_verification', 'app': 'gongji', 'pk_attr': 'id', 'table_description': '到厅核验: a face verification an agent starts for the member at the window.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Insurer',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=128)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'insurer', 'app': 'gongji', 'pk_attr': 'id', 'table_description': 'A commercial insurer registered by an operator: premiums are paid to it only.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CommercialPremium',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('payer', fields.ForeignKeyField('gongji.Member', source_field='payer_id', db_constraint=True, to_field='id', related_name='commercial_premiums_paid', on_delete=OnDelete.RESTRICT)),
                ('insured', fields.ForeignKeyField('gongji.Member', source_field='insured_id', db_constraint=True, to_field='id', related_name='commercial_premiums_received', on_delete=OnDelete.RESTRICT)),
                ('insurer', fields.ForeignKeyField('gongji.Insurer', source_field='insurer_id', db_constraint=True, to_field='id', related_name='premiums', on_delete=OnDelete.RESTRICT)),
                ('order_number', fields.CharField(max_length=64)),
                ('amount', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'commercial_premium', 'app': 'gongji', 'unique_together': (('insurer', 'order_number'),), 'pk_attr': 'id', 'table_description': "One premium for a relative's commercial health insurance policy, paid from the wallet."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='AuditEntry',
            name='on_behalf_of',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Authorization',
            name='agent_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='FamilyGroup',
            name='agent_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='Invitation',
            name='agent_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='Invitation',
            name='decided_by_agent_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='Invitation',
            name='inviter_verified_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Invitation',
            name='notice_accepted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Invitation',
            name='notice_version',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Invitation',
            name='invitee_notice_version',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Invitation',
            name='invitee_notice_accepted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Membership',
            name='agent_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='PremiumPayment',
            name='region',
            field=fields.CharField(null=True, max_length=6),
        ),
    ]
