from tortoise import migrations
from tortoise.migrations import operations as ops
from gongji.identity.rules import AgentScope
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gongji', '0004_member_pii')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Agent',
            name='scope',
            field=fields.CharEnumField(default=AgentScope.CITY, description='CITY: city\nPROVINCE: province\nNATIONWIDE: nationwide', enum_type=AgentScope, max_length=16),
        ),
    ]
