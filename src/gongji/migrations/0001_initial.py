from tortoise import migrations
from tortoise.migrations import operations as ops
from gongji.families.rules import InvitationStatus, MembershipRole, Relationship
from gongji.identity.models import FaceVerificationStatus, TokenKind
from gongji.institutions.models import InstitutionKind
from gongji.members.rules import InsuranceStatus, InsuranceType
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Agent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=64)),
                ('office_region', fields.CharField(max_length=6)),
                ('password_hash', fields.CharField(max_length=256)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'agent', 'app': 'gongji', 'pk_attr': 'id', 'table_description': '经办人员: service-hall staff. Password stored as scrypt.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_kind', fields.CharField(max_length=16)),
                ('actor_id', fields.CharField(max_length=64)),
                ('action', fields.CharField(max_length=64)),
                ('subject_id', fields.CharField(default='', max_length=64)),
                ('reason', fields.CharField(default='', max_length=255)),
                ('detail', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'audit_entry', 'app': 'gongji', 'indexes': [Index(fields=['actor_kind', 'actor_id']), Index(fields=['subject_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Institution',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=12)),
                ('name', fields.CharField(max_length=128)),
                ('kind', fields.CharEnumField(description='HOSPITAL: hospital\nPHARMACY: pharmacy', enum_type=InstitutionKind, max_length=16)),
                ('region', fields.CharField(max_length=6)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'institution', 'app': 'gongji', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiKey',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('gongji.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='api_keys', on_delete=OnDelete.RESTRICT)),
                ('prefix', fields.CharField(max_length=16)),
                ('key_hash', fields.CharField(unique=True, max_length=64)),
                ('label', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_key', 'app': 'gongji', 'pk_attr': 'id', 'table_description': 'A partner credential. Only the SHA-256 of the secret is stored.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Member',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=64)),
                ('id_number', fields.CharField(unique=True, max_length=18)),
                ('insurance_type', fields.CharEnumField(description='EMPLOYEE: employee\nRESIDENT: resident', enum_type=InsuranceType, max_length=16)),
                ('insured_region', fields.CharField(db_index=True, max_length=6)),
                ('status', fields.CharEnumField(default=InsuranceStatus.NORMAL, description='NORMAL: normal\nSUSPENDED: suspended\nTERMINATED: terminated\nDECEASED: deceased', enum_type=InsuranceStatus, max_length=16)),
                ('phone', fields.CharField(default='', max_length=11)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'member', 'app': 'gongji', 'pk_attr': 'id', 'table_description': '参保人: an insured person as the registry knows them.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FamilyGroup',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=64)),
                ('creator', fields.ForeignKeyField('gongji.Member', source_field='creator_id', db_constraint=True, to_field='id', related_name='created_groups', on_delete=OnDelete.RESTRICT)),
                ('commitment_version', fields.CharField(max_length=32)),
                ('commitment_accepted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('dissolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'family_group', 'app': 'gongji', 'pk_attr': 'id', 'table_description': '家庭共济组: created by one insured person who accepted the commitment letter (R6).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('gongji.FamilyGroup', source_field='group_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.RESTRICT)),
                ('inviter', fields.ForeignKeyField('gongji.Member', source_field='inviter_id', db_constraint=True, to_field='id', related_name='sent_invitations', on_delete=OnDelete.RESTRICT)),
                ('invitee', fields.ForeignKeyField('gongji.Member', source_field='invitee_id', db_constraint=True, to_field='id', related_name='received_invitations', on_delete=OnDelete.RESTRICT)),
                ('relationship', fields.CharEnumField(description='SPOUSE: spouse\nPARENT: parent\nCHILD: child\nSIBLING: sibling\nGRANDPARENT: grandparent\nGRANDCHILD: grandchild\nSPOUSE_PARENT: spouse_parent\nOTHER_IN_LAW: other_in_law', enum_type=Relationship, max_length=16)),
                ('status', fields.CharEnumField(default=InvitationStatus.PENDING, description='PENDING: pending\nACCEPTED: accepted\nDECLINED: declined\nREVOKED: revoked\nEXPIRED: expired', enum_type=InvitationStatus, max_length=16)),
                ('pending_slot', fields.CharField(null=True, unique=True, max_length=80)),
                ('proof_material', fields.CharField(default='', max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'invitation', 'app': 'gongji', 'pk_attr': 'id', 'table_description': '邀请: pending until accepted, declined, revoked or expired (R7).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('gongji.FamilyGroup', source_field='group_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.RESTRICT)),
                ('member', fields.ForeignKeyField('gongji.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.RESTRICT)),
                ('role', fields.CharEnumField(description='CREATOR: creator\nRELATIVE: relative', enum_type=MembershipRole, max_length=16)),
                ('relationship', fields.CharEnumField(null=True, description='SPOUSE: spouse\nPARENT: parent\nCHILD: child\nSIBLING: sibling\nGRANDPARENT: grandparent\nGRANDCHILD: grandchild\nSPOUSE_PARENT: spouse_parent\nOTHER_IN_LAW: other_in_law', enum_type=Relationship, max_length=16)),
                ('active', fields.BooleanField(default=True)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('left_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'membership', 'app': 'gongji', 'unique_together': (('group', 'member'),), 'pk_attr': 'id', 'table_description': 'One person in one group. Leaving keeps the row (history) and clears `active`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WechatUser',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('openid', fields.CharField(unique=True, max_length=128)),
                ('member', fields.OneToOneField('gongji.Member', source_field='member_id', null=True, db_constraint=True, to_field='id', related_name='wechat_user', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('linked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'wechat_user', 'app': 'gongji', 'pk_attr': 'id', 'table_description': 'A mini-program user (openid), linked to an insured member after face verification.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AccessToken',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('kind', fields.CharEnumField(description='MEMBER: member\nAGENT: agent', enum_type=TokenKind, max_length=8)),
                ('wechat_user', fields.ForeignKeyField('gongji.WechatUser', source_field='wechat_user_id', null=True, db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('agent', fields.ForeignKeyField('gongji.Agent', source_field='agent_id', null=True, db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'access_token', 'app': 'gongji', 'pk_attr': 'id', 'table_description': 'A bearer token. Only its SHA-256 is stored.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FaceVerification',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('verify_id', fields.CharField(unique=True, max_length=256)),
                ('out_seq_no', fields.CharField(unique=True, max_length=64)),
                ('wechat_user', fields.ForeignKeyField('gongji.WechatUser', source_field='wechat_user_id', db_constraint=True, to_field='id', related_name='face_verifications', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('gongji.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='face_verifications', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(description='STARTED: started\nPASSED: passed\nFAILED: failed', enum_type=FaceVerificationStatus, max_length=8)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_for', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'face_verification', 'app': 'gongji', 'pk_attr': 'id', 'table_description': 'One face verification session: who (member), by whom (WeChat user), used once.'},
            bases=['Model'],
        ),
    ]
