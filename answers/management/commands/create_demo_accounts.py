from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError

DEMO_ACCOUNTS = {
    "editor": {"password": "editor-demo-pass", "first_name": "Erin", "last_name": "Editor"},
    "reviewer": {"password": "reviewer-demo-pass", "first_name": "Robin", "last_name": "Reviewer"},
}


class Command(BaseCommand):
    help = "Create the demo accounts `editor` and `reviewer` (local development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts have public passwords: create them only with DEBUG=1."
            )
        permissions = Permission.objects.filter(
            content_type__app_label__in=["answers", "citations"]
        )
        User = get_user_model()
        for username, fields in DEMO_ACCOUNTS.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": fields["first_name"],
                    "last_name": fields["last_name"],
                    "is_staff": True,
                },
            )
            if created:
                user.set_password(fields["password"])
                user.save()
                user.user_permissions.set(permissions)
                self.stdout.write(f"Created {username} (password: {fields['password']})")
            else:
                self.stdout.write(f"{username} already exists; left unchanged")
