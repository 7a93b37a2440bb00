"""The workflow's log."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from answers.workflow import Status


class Transition(models.Model):
    """One step of the editorial workflow, recorded for good: who, when, from, to, why."""

    ACTIONS = [
        ("submit", "Submitted for review"),
        ("approve", "Approved and published"),
        ("send_back", "Sent back to draft"),
        ("withdraw", "Withdrawn"),
        ("edit", "Edited after submission or approval"),
        ("restore", "Restored an earlier revision"),
        ("go_live", "Went live as scheduled"),
        ("expire", "Taken down at its expiry time"),
        ("set_expiry", "Expiry time set or cleared"),
        ("share", "Shared with an outside expert"),
        ("revoke_share", "Review link revoked"),
    ]

    # Logged steps that change no status and record no revision.
    NOTES = ("share", "revoke_share")

    answer = models.ForeignKey(
        "answers.Answer", on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(max_length=20, choices=ACTIONS)
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    revision = models.PositiveIntegerField(
        null=True, help_text="The answer revision (history id) the step was taken on."
    )

    class Meta:
        ordering = ["-at", "-pk"]
        # An answer's latest step of a kind (when it was submitted, sent back).
        indexes = [models.Index(fields=["answer", "action", "-at"], name="transition_latest")]

    def __str__(self):
        return f"{self.get_action_display()} by {self.user} on {self.at:%Y-%m-%d %H:%M}"
