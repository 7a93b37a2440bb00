from django.db import migrations


def update_roles(apps, schema_editor):
    from answers.roles import create_roles

    create_roles(apps)  # editors and medical reviewers may read and handle reports


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("answers", "0018_scheduled_publication"),
    ]

    operations = [
        migrations.RunPython(update_roles, migrations.RunPython.noop),
    ]
