"""The seeded editorial team: editors, medical reviewers and writers, with accounts and
profiles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q

from answers.models import (
    ContributorProfile,
)
from answers.roles import EDITOR, MEDICAL_REVIEWER
from answers.seeding.words import AFFILIATIONS, CONFLICTS, FAMILY_NAMES, FIRST_NAMES, SPECIALTIES


class Cast:
    """Who wrote and reviewed the answers: the site's editors and medical reviewers, a fixed
    set of seeded ones (found again by --append), and writers without an account."""

    def __init__(self, rng):
        self.rng = rng
        for n in range(1, 11):
            self.account(f"seed-reviewer-{n:02}", MEDICAL_REVIEWER, n, rng.choice(SPECIALTIES))
            self.account(f"seed-editor-{n:02}", EDITOR, n + 10, "Medical writer")
        for n in range(21, 61):
            ContributorProfile.objects.get_or_create(
                user=None, display_name=self.name(n), defaults=self.profile(n, "Medical writer")
            )
        self.reviewers = list(
            ContributorProfile.objects.filter(user__groups__name=MEDICAL_REVIEWER)
            .select_related("user")
            .distinct()
            .order_by("pk")
        )
        self.editors = list(get_user_model().objects.filter(groups__name=EDITOR).order_by("pk"))
        self.writers = list(
            ContributorProfile.objects.filter(Q(user__groups__name=EDITOR) | Q(user=None))
            .distinct()
            .order_by("pk")
        )

    def name(self, n):
        return f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {FAMILY_NAMES[n * 7 % len(FAMILY_NAMES)]}"

    def profile(self, n, role):
        doctor = role != "Medical writer"
        return {
            "display_name": ("Dr " if doctor else "") + self.name(n),
            "credentials": self.rng.choice(["MD, PhD", "MBBS", "MD", "PharmD"])
            if doctor
            else self.rng.choice(["MPH", "MSc", "PhD", "BSc, MA"]),
            "role": role,
            "affiliation": self.rng.choice(AFFILIATIONS),
            "bio": f"{self.name(n)} works as a {role.lower()} and writes and checks answers "
            "for patients from published research.",
            "disclosures": self.rng.choice(CONFLICTS)
            if self.rng.random() < 0.15
            else ContributorProfile.NONE_DECLARED,
        }

    def account(self, username, group, n, role):
        first, last = self.name(n).split(" ", 1)
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@qasite.example",
                "is_staff": True,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=group))
        ContributorProfile.objects.get_or_create(user=user, defaults=self.profile(n, role))
