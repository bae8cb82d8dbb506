"""The group "Penampil NIK lengkap": an administrator adds a Disnaker operator to it to grant ``rentan.reveal_nik``.

The permission itself is declared on ``User.Meta``; it is created here too, because Django creates permissions only
after all migrations have run (post_migrate) and the group needs it now.
"""

from django.db import migrations

GROUP = "Penampil NIK lengkap"


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="rentan", model="user")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="reveal_nik",
        defaults={"name": "Boleh menampilkan NIK lengkap (dengan alasan, tercatat di jejak audit)"},
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rentan", "0004_reveal_nik_permission_and_subject_access"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
