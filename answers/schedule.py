"""
Scheduled publication and expiry, carried out by `manage.py run_schedule` (cron, every
minute), as the workflow's steps `go_live` and `expire` (answers/workflow/steps.py).

An approval with a go-live time leaves its version waiting (`Answer.scheduled_version`,
status "Approved, scheduled"): nothing public reads it, because publication is only
`live_version`. When the time comes, the version goes live exactly as approved, unless
the answer's content changed since (then it goes back to draft instead). An expiry time
takes the live version down. Each is recorded as a transition by the system, naming the
reviewer who asked for it.
"""

import datetime
import logging
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from answers.models import Answer, Status, TransitionError
from answers.people import person_name

logger = logging.getLogger(__name__)


def due_to_go_live(now):
    return Answer.objects.filter(
        status=Status.SCHEDULED, scheduled_version__go_live_at__lte=now
    ).order_by("scheduled_version__go_live_at", "pk")


def due_to_expire(now):
    return Answer.objects.published().filter(expires_at__lte=now).order_by("expires_at", "pk")


@transaction.atomic
def go_live(answer, now):
    """Take the step `go_live` for the answer; returns True if it went live."""
    answer = answer.locked()
    version = answer.scheduled_version
    if answer.status != Status.SCHEDULED or version is None or version.go_live_at > now:
        return False  # changed since it was listed
    approver = version.reviewer_name or person_name(version.reviewer)
    when = timezone.localtime(version.approved_at).strftime("%-d %b %Y %H:%M %Z")
    if answer.fingerprint() != version.fingerprint:
        # Changed by a path that did not record the edit: record it now, as an edit is.
        answer.record_edit(
            None, f"Not put live: the content changed after {approver} approved it on {when}."
        )
        logger.warning("Answer %s changed after its scheduled approval; not put live", answer.pk)
        return False
    answer.transition(
        "go_live", None, f"Went live as scheduled by {approver} when approving on {when}.", at=now
    )
    return True


@transaction.atomic
def expire(answer, now):
    """Take the step `expire` for the answer; returns True if it was taken down."""
    answer = answer.locked()
    if not answer.live_version_id or answer.expires_at is None or answer.expires_at > now:
        return False
    who = person_name(answer.expiry_set_by)
    when = timezone.localtime(answer.expires_at).strftime("%-d %b %Y %H:%M %Z")
    answer.transition("expire", None, f"Taken down at the expiry time {who} set ({when}).", at=now)
    return True


def run(now=None):
    """Carry out what is due; returns (answers that went live, answers that expired)."""
    now = now or timezone.now()
    went_live = [a for a in due_to_go_live(now) if go_live(a, now)]
    expired = [a for a in due_to_expire(now) if expire(a, now)]
    return went_live, expired


# The approve form's times: a date and time as the reviewer's browser shows it
# (<input type="datetime-local">) and the time zone it is in, said explicitly.

TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
TIME_FIELDS = {"go_live_at": "go-live time", "expires_at": "expiry time"}
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def posted_times(data):
    """What the form posted, to show again as typed."""
    times = {name: data.get(name, "").strip()[:20] for name in TIME_FIELDS}
    times["time_zone"] = data.get("time_zone", "") or settings.TIME_ZONE
    return times


def parse_times(times):
    """{go_live_at, expires_at} as aware datetimes (None where empty), or TransitionError
    naming what could not be read."""
    if not times:
        return {}
    if times["time_zone"] not in TIME_ZONES and times["time_zone"] != "UTC":
        raise TransitionError(f"“{times['time_zone']}” is not a time zone.")
    zone = zoneinfo.ZoneInfo(times["time_zone"])
    parsed = {}
    for name, label in TIME_FIELDS.items():
        value = times.get(name, "")
        if not value:
            parsed[name] = None
            continue
        try:
            naive = datetime.datetime.strptime(value, LOCAL_FORMAT)
        except ValueError:
            raise TransitionError(
                f"The {label} “{value}” is not a date and time (e.g. 2027-03-01 09:00)."
            ) from None
        parsed[name] = naive.replace(tzinfo=zone)
    return parsed


def scheduled_message(answer):
    when = timezone.localtime(answer.scheduled_version.go_live_at)
    return (
        f"Approved. The answer goes live at {when:%-d %b %Y %H:%M} {when.tzname()}; until "
        "then patients see " + ("the version live now." if answer.live_version_id else "nothing.")
    )


def shown_times(answer):
    """The set-expiry form's times before anything is posted: the expiry set now, if any,
    in the site's time zone."""
    times = posted_times({})
    if answer.expires_at:
        zone = zoneinfo.ZoneInfo(times["time_zone"])
        times["expires_at"] = answer.expires_at.astimezone(zone).strftime(LOCAL_FORMAT)
    return times


def expiry_message(answer):
    if not answer.expires_at:
        return "No expiry: the answer stays on the site until it is withdrawn."
    when = timezone.localtime(answer.expires_at)
    return f"The answer leaves the site at {when:%-d %b %Y %H:%M} {when.tzname()}."
