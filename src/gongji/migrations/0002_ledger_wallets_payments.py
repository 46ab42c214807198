from tortoise import migrations
from tortoise.migrations import operations as ops
from gongji.families.rules import Relationship
from gongji.ledger.models import AccountKind
from gongji.payments.models import BillStatus
from gongji.payments.rules import ItemCategory, VisitType
from gongji.wallets.models import AuthorizationStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('gongji', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='PERSONAL_CARRYOVER: personal_carryover\nPERSONAL_CURRENT: personal_current\nWALLET: wallet\nQUOTA: quota\nINSTITUTION: institution\nPREMIUM_COLLECTION: premium_collection\nCONTRIBUTIONS: contributions', enum_type=AccountKind, max_length=24)),
                ('owner', fields.CharField(max_length=64)),
                ('balance', fields.BigIntField(default=0)),
                ('allow_negative', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ledger_account', 'app': 'gongji', 'unique_together': (('kind', 'owner'),), 'pk_attr': 'id', 'table_description': "One balance. `balance` always equals the sum of the account's entries (reconcile)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Authorization',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('authorizer', fields.ForeignKeyField('gongji.Member', source_field='authorizer_id', db_constraint=True, to_field='id', related_name='authorizations_granted', on_delete=OnDelete.RESTRICT)),
                ('relative', fields.ForeignKeyField('gongji.Member', source_field='relative_id', db_constraint=True, to_field='id', related_name='authorizations_received', on_delete=OnDelete.RESTRICT)),
                ('group', fields.ForeignKeyField('gongji.FamilyGroup', source_field='group_id', db_constraint=True, to_field='id', related_name='authorizations', on_delete=OnDelete.RESTRICT)),
                ('relationship', fields.CharEnumField(description='SPOUSE: spouse\nPARENT: parent\nCHILD: child\nSIBLING: sibling\nGRANDPARENT: grandparent\nGRANDCHILD: grandchild\nSPOUSE_PARENT: spouse_parent\nOTHER_IN_LAW: other_in_law', enum_type=Relationship, max_length=16)),
                ('quota', fields.BigIntField()),
                ('spent', fields.BigIntField(default=0)),
                ('status', fields.CharEnumField(description='ACTIVE: active\nREVOKED: revoked\nENDED: ended', enum_type=AuthorizationStatus, max_length=8)),
                ('active_slot', fields.CharField(null=True, unique=True, max_length=80)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_by', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'authorization', 'app': 'gongji', 'pk_attr': 'id', 'table_description': '共济授权: the authorizer lets one relative spend up to `quota` from the wallet (R11).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Bill',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('gongji.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='bills', on_delete=OnDelete.RESTRICT)),
                ('external_ref', fields.CharField(max_length=64)),
                ('content_hash', fields.CharField(max_length=64)),
                ('patient', fields.ForeignKeyField('gongji.Member', source_field='patient_id', db_constraint=True, to_field='id', related_name='bills', on_delete=OnDelete.RESTRICT)),
                ('proxy_buyer', fields.ForeignKeyField('gongji.Member', source_field='proxy_buyer_id', null=True, db_constraint=True, to_field='id', related_name='proxy_bills', on_delete=OnDelete.RESTRICT)),
                ('visit_type', fields.CharEnumField(description='OUTPATIENT: 11\nCHRONIC_OUTPATIENT: 14\nINPATIENT: 21\nPHARMACY: 41', enum_type=VisitType, max_length=2)),
                ('medfee_sumamt', fields.BigIntField()),
                ('hifp_pay', fields.BigIntField()),
                ('fulamt_ownpay_amt', fields.BigIntField()),
                ('status', fields.CharEnumField(default=BillStatus.OPEN, description='OPEN: open\nPAID: paid\nPARTIALLY_REFUNDED: partially_refunded\nREFUNDED: refunded', enum_type=BillStatus, max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'bill', 'app': 'gongji', 'unique_together': (('institution', 'external_ref'),), 'pk_attr': 'id', 'table_description': 'A settlement from a designated institution for one patient (R14, R17).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BillItem',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('bill', fields.ForeignKeyField('gongji.Bill', source_field='bill_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.RESTRICT)),
                ('position', fields.IntField()),
                ('name', fields.CharField(max_length=128)),
                ('category', fields.CharEnumField(description='DRUG: drug\nEXAMINATION: examination\nTREATMENT: treatment\nMATERIAL: material\nSERVICE: service\nBED: bed\nSELF_PAY: self_pay\nPUBLIC_HEALTH: public_health\nFITNESS: fitness\nWELLNESS: wellness\nCOSMETIC: cosmetic\nWEIGHT_LOSS: weight_loss\nBODYBUILDING: bodybuilding\nHEALTH_CHECKUP: health_checkup', enum_type=ItemCategory, max_length=16)),
                ('amount', fields.BigIntField()),
            ],
            options={'table': 'bill_item', 'app': 'gongji', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IdempotencyRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('scope', fields.CharField(max_length=80)),
                ('key', fields.CharField(max_length=80)),
                ('operation', fields.CharField(max_length=32)),
                ('request_hash', fields.CharField(max_length=64)),
                ('result_id', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idempotency_record', 'app': 'gongji', 'unique_together': (('scope', 'key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LedgerTransaction',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=32)),
                ('reference', fields.CharField(db_index=True, max_length=64)),
                ('memo', fields.CharField(default='', max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ledger_transaction', 'app': 'gongji', 'pk_attr': 'id', 'table_description': 'One movement of money: entries that sum to zero, written with the balances they change.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Entry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('transaction', fields.ForeignKeyField('gongji.LedgerTransaction', source_field='transaction_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.RESTRICT)),
                ('account', fields.ForeignKeyField('gongji.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.RESTRICT)),
                ('amount', fields.BigIntField()),
            ],
            options={'table': 'ledger_entry', 'app': 'gongji', 'pk_attr': 'id', 'table_description': 'Signed fen: positive into the account (debit), negative out of it (credit).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Payment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('bill', fields.OneToOneField('gongji.Bill', source_field='bill_id', db_constraint=True, to_field='id', related_name='payment', on_delete=OnDelete.RESTRICT)),
                ('authorization', fields.ForeignKeyField('gongji.Authorization', source_field='authorization_id', db_constraint=True, to_field='id', related_name='payments', on_delete=OnDelete.RESTRICT)),
                ('patient', fields.ForeignKeyField('gongji.Member', source_field='patient_id', db_constraint=True, to_field='id', related_name='payments_as_patient', on_delete=OnDelete.RESTRICT)),
                ('authorizer', fields.ForeignKeyField('gongji.Member', source_field='authorizer_id', db_constraint=True, to_field='id', related_name='payments_as_authorizer', on_delete=OnDelete.RESTRICT)),
                ('institution', fields.ForeignKeyField('gongji.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='payments', on_delete=OnDelete.RESTRICT)),
                ('personal_share', fields.BigIntField()),
                ('family_amount', fields.BigIntField()),
                ('cash_amount', fields.BigIntField()),
                ('excluded_amount', fields.BigIntField()),
                ('excluded_items', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('refunded', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payment', 'app': 'gongji', 'pk_attr': 'id', 'table_description': '家庭共济支付: at most one per bill, enforced by the database.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PremiumPayment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('payer', fields.ForeignKeyField('gongji.Member', source_field='payer_id', db_constraint=True, to_field='id', related_name='premiums_paid', on_delete=OnDelete.RESTRICT)),
                ('relative', fields.ForeignKeyField('gongji.Member', source_field='relative_id', db_constraint=True, to_field='id', related_name='premiums_received', on_delete=OnDelete.RESTRICT)),
                ('year', fields.IntField()),
                ('amount', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'premium_payment', 'app': 'gongji', 'unique_together': (('relative', 'year'),), 'pk_attr': 'id', 'table_description': "代缴城乡居民医保: a relative's resident premium paid from the wallet (R16)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Refund',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('payment', fields.ForeignKeyField('gongji.Payment', source_field='payment_id', db_constraint=True, to_field='id', related_name='refunds', on_delete=OnDelete.RESTRICT)),
                ('amount', fields.BigIntField()),
                ('to_wallet', fields.BooleanField()),
                ('reason', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'refund', 'app': 'gongji', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Wallet',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('member', fields.OneToOneField('gongji.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='wallet', on_delete=OnDelete.RESTRICT)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'wallet', 'app': 'gongji', 'pk_attr': 'id', 'table_description': "A member's medical insurance wallet, opened through an official channel (R10)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WalletTransfer',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('gongji.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='wallet_transfers', on_delete=OnDelete.RESTRICT)),
                ('amount', fields.BigIntField()),
                ('from_carryover', fields.BigIntField()),
                ('from_current', fields.BigIntField()),
                ('local_date', fields.DateField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'wallet_transfer', 'app': 'gongji', 'indexes': [Index(fields=['member_id', 'local_date'])], 'pk_attr': 'id', 'table_description': '划转: personal account → wallet. Carry-over balance is used first (R12).'},
            bases=['Model'],
        ),
    ]
