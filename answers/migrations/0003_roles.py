"""The two editorial roles, as groups with their permissions. Superusers can do everything."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITING = [
    "add_question", "change_question", "view_question",
    "add_answer", "change_answer", "view_answer",
    "add_topic", "change_topic", "view_topic",
    "add_disclaimer", "change_disclaimer", "view_disclaimer",
    "view_transition", "view_answerdueforreview", "view_reviewerprofile",
    "add_source", "change_source", "view_source",
    "add_citation", "change_citation", "delete_citation", "view_citation",
]  # fmt: skip

ROLES = {
    "Editor": [*EDITING, "submit_answer"],
    "Medical reviewer": [*EDITING, "review_answer", "withdraw_answer"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label__in=["answers", "citations"], codename__in=codenames
        )
        assert permissions.count() == len(codenames), name
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0002_review_workflow"),
        ("citations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
