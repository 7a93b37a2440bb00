"""The two editorial roles, as groups with their permissions (answers/roles.py)."""

from django.db import migrations

from answers.roles import ROLES, create_roles


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0002_review_workflow"),
        ("citations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(lambda apps, schema_editor: create_roles(apps), remove_roles)
    ]
