"""Filters and tags for the public pages: dates as the page's language writes them, and the
labels a published version froze in English, in the page's language."""

import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.translation import pgettext, pgettext_lazy

register = template.Library()


def long_date_format():
    # Translators: how the pages write a date, in the codes of Django's "date" filter
    # (https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date); "j F Y" is
    # "7 December 2026". A letter meant literally is escaped with a backslash: \d\e.
    return pgettext("date format", "j F Y")


@register.simple_tag
def time_element(value):
    """`value` (a date, or a datetime shown in the site's time zone) as a <time> element:
    its ISO date for machines, and for people the date as the page's language writes it
    ("7 December 2026", "7 de diciembre de 2026")."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>',
        format_date(value, "Y-m-d"),
        format_date(value, long_date_format()),
    )


@register.filter
def date_from_iso(value, pattern=None):
    """A date kept as ISO text in JSON (a version's update notes), as the page shows dates."""
    try:
        return format_date(datetime.date.fromisoformat(value), pattern or long_date_format())
    except (TypeError, ValueError):
        return value


# The evidence labels a published version froze (citations.Source.EvidenceType's, in the
# default language), as the page's language says them. Every label has one
# (patient_site/tests/test_languages.py); one not here is shown as it was frozen.
EVIDENCE_LABELS = {
    "Systematic review / meta-analysis": pgettext_lazy(
        "evidence type", "Systematic review / meta-analysis"
    ),
    "Randomised controlled trial": pgettext_lazy("evidence type", "Randomised controlled trial"),
    "Phase 1 trial": pgettext_lazy("evidence type", "Phase 1 trial"),
    "Phase 2 trial": pgettext_lazy("evidence type", "Phase 2 trial"),
    "Phase 3 trial": pgettext_lazy("evidence type", "Phase 3 trial"),
    "Cohort or case-control study": pgettext_lazy("evidence type", "Cohort or case-control study"),
    "Case report": pgettext_lazy("evidence type", "Case report"),
    "Narrative review": pgettext_lazy("evidence type", "Narrative review"),
    "Guideline": pgettext_lazy("evidence type", "Guideline"),
    "Other": pgettext_lazy("evidence type", "Other"),
}


@register.filter
def evidence_label(label):
    """A reference's frozen evidence label in the page's language."""
    translated = EVIDENCE_LABELS.get(label)
    return str(translated) if translated is not None else label


@register.simple_tag
def named(name, credentials=""):
    """A person as a byline names them: "Dr Robin Reviewer, MD, PhD"."""
    return f"{name}, {credentials}" if credentials else name


@register.simple_tag
def writers(authors):
    """The byline's writers, each with their credentials: "Erin Editor, MPH; Ann Other"."""
    return "; ".join(named(a["display_name"], a.get("credentials", "")) for a in authors)
