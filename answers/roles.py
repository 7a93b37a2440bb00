"""The editorial roles: Django groups and their permissions. Superusers can do everything."""

from django.apps import apps as django_apps
from django.contrib.auth.management import create_permissions

EDITING = [
    "add_question", "change_question", "view_question",
    "add_answer", "change_answer", "view_answer",
    "add_topic", "change_topic", "view_topic",
    "add_disclaimer", "change_disclaimer", "view_disclaimer",
    "add_comment", "change_comment", "view_comment", "view_reviewlink",
    "view_transition", "view_reviewqueue", "view_publishedversion",
    "add_contributorprofile", "change_contributorprofile", "view_contributorprofile",
    "add_authorship", "change_authorship", "delete_authorship", "view_authorship",
    "change_sitepolicy", "view_sitepolicy",
    "add_source", "change_source", "view_source",
    "add_citation", "change_citation", "delete_citation", "view_citation",
    "change_report", "view_report",
]  # fmt: skip

# The apps whose models the roles work on (the review queue is the desk's).
APP_LABELS = ["answers", "citations", "reports", "desk"]

EDITOR = "Editor"
MEDICAL_REVIEWER = "Medical reviewer"

ROLES = {
    EDITOR: [*EDITING, "submit_answer"],
    MEDICAL_REVIEWER: [
        *EDITING,
        "review_answer",
        "withdraw_answer",
        "add_reviewlink",
        "change_reviewlink",
    ],  # fmt: skip
}


def create_roles(apps=django_apps):
    """Create or update the groups; `apps` is the migration's app registry when migrating."""
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label__in=APP_LABELS, codename__in=codenames
        )
        group.permissions.set(permissions)
