from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


async def seal_existing(apps, schema_editor):
    """Seal every member's ID number and phone, and index the ID number (gongji.pii).

    Through the ORM on the migration's own connection, so the same code runs on SQLite,
    PostgreSQL and MySQL; keys come from the environment as at start-up.
    """
    from gongji import pii

    member = apps.get_model("gongji", "Member")
    client = schema_editor.client
    last = None
    while True:
        query = member.filter(id__gt=last) if last is not None else member.all()
        rows = await query.using_db(client).order_by("id").limit(500).values(
            "id", "id_number", "phone"
        )
        for row in rows:
            await member.filter(id=row["id"]).using_db(client).update(
                id_number_sealed=pii.seal(row["id_number"], pii.ID_NUMBER),
                id_number_index=pii.blind_index(row["id_number"], pii.ID_NUMBER),
                phone_sealed=pii.seal(row["phone"], pii.PHONE) if row["phone"] else "",
            )
        if len(rows) < 500:
            return
        last = rows[-1]["id"]


async def restore_sqlite_index(apps, schema_editor):
    """SQLite rebuilt `member` to drop its clear columns, and a rebuild keeps no index."""
    if schema_editor.DIALECT == "sqlite":
        await schema_editor.client.execute_script(
            'CREATE INDEX IF NOT EXISTS "idx_member_insured_915073" ON "member" ("insured_region")'
        )


class Migration(migrations.Migration):
    dependencies = [('gongji', '0003_usage_records')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Member',
            name='id_number_index',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
        ops.AddField(
            model_name='Member',
            name='id_number_sealed',
            field=fields.CharField(null=True, max_length=160),
        ),
        ops.AddField(
            model_name='Member',
            name='phone_sealed',
            field=fields.CharField(null=True, max_length=160),
        ),
        ops.RunPython(seal_existing),
        ops.RemoveField(model_name='Member', name='id_number'),
        ops.RemoveField(model_name='Member', name='phone'),
        ops.AlterField(
            model_name='Member',
            name='id_number_index',
            field=fields.CharField(unique=True, max_length=64),
        ),
        ops.AlterField(
            model_name='Member',
            name='id_number_sealed',
            field=fields.CharField(max_length=160),
        ),
        ops.AlterField(
            model_name='Member',
            name='phone_sealed',
            field=fields.CharField(default='', max_length=160),
        ),
        ops.RunPython(restore_sqlite_index),
    ]
