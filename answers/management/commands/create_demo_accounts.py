from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from answers.models import ContributorProfile
from answers.roles import EDITOR, MEDICAL_REVIEWER, create_roles

DEMO_ACCOUNTS = {
    "editor": {
        "password": "editor-demo-pass",
        "first_name": "Erin",
        "email": "editor@qasite.example",
        "last_name": "Editor",
        "group": EDITOR,
        "profile": {
            "display_name": "Erin Editor",
            "credentials": "MPH",
            "role": "Medical writer",
            "affiliation": "qasite editorial team",
            "bio": "Erin writes qasite's answers from published research, for patients.",
            "disclosures": "None declared",
        },
    },
    "reviewer": {
        "password": "reviewer-demo-pass",
        "first_name": "Robin",
        "email": "reviewer@qasite.example",
        "last_name": "Reviewer",
        "group": MEDICAL_REVIEWER,
        "profile": {
            "display_name": "Dr Robin Reviewer",
            "credentials": "MD, PhD",
            "role": "Consultant neurologist",
            "affiliation": "Demo University Hospital",
            "bio": "Robin treats people with multiple sclerosis and reviews qasite's answers "
            "on neurology.",
            "disclosures": "None declared",
        },
    },
    # A second reviewer: four eyes gives them what `reviewer` edited.
    "reviewer2": {
        "password": "reviewer2-demo-pass",
        "first_name": "Sam",
        "email": "reviewer2@qasite.example",
        "last_name": "Second",
        "group": MEDICAL_REVIEWER,
        "profile": {
            "display_name": "Dr Sam Second",
            "credentials": "MBBS",
            "role": "Consultant haematologist",
            "affiliation": "Demo University Hospital",
            "bio": "Sam treats people with blood cancers, including with CAR-T cell therapy.",
            "disclosures": "None declared",
        },
    },
    # A reviewer who reads Spanish: she approves the demo answer's Spanish translation, an
    # example (answers/demo/car-t-ms.es.md), as her bio says on its page.
    "revisora": {
        "password": "revisora-demo-pass",
        "first_name": "Lucía",
        "email": "revisora@qasite.example",
        "last_name": "Revisora",
        "group": MEDICAL_REVIEWER,
        "profile": {
            "display_name": "Dra. Lucía Revisora",
            "credentials": "MD",
            "role": "Neuróloga",
            "affiliation": "Hospital Universitario de Demostración",
            "bio": "Revisora ficticia de la demostración de qasite: su aprobación de la "
            "traducción al español es un ejemplo del flujo de trabajo de traducción, no una "
            "revisión médica real.",
            "disclosures": "None declared",
            "languages": ["es", "en-gb"],
        },
    },
}


class Command(BaseCommand):
    help = (
        "Create the demo accounts `editor`, `reviewer`, `reviewer2` and `revisora` (local "
        "development only)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts have public passwords: create them only with DEBUG=1."
            )
        create_roles()
        User = get_user_model()
        for username, fields in DEMO_ACCOUNTS.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": fields["first_name"],
                    "last_name": fields["last_name"],
                    "email": fields["email"],
                    "is_staff": True,
                },
            )
            if not created:
                added = []
                if not user.email:  # accounts from before notifications get an address
                    user.email = fields["email"]
                    user.save(update_fields=["email"])
                    added.append("its email address")
                # An account from before contributor profiles existed gets its profile.
                _, made = ContributorProfile.objects.get_or_create(
                    user=user, defaults=fields["profile"]
                )
                if made:
                    added.append("its profile")
                left = f"{' and '.join(added)} added" if added else "left unchanged"
                self.stdout.write(f"{username} already exists; {left}")
                continue
            user.set_password(fields["password"])
            user.save()
            user.groups.add(Group.objects.get(name=fields["group"]))
            ContributorProfile.objects.create(user=user, **fields["profile"])
            self.stdout.write(
                f"Created {username} ({fields['group']}, password: {fields['password']})"
            )
