"""Filters for the public pages."""

import datetime

from django import template
from django.utils.dateformat import format as format_date

register = template.Library()


@register.filter
def date_from_iso(value, pattern="j F Y"):
    """A date kept as ISO text in JSON (a version's update notes), as the page shows dates."""
    try:
        return format_date(datetime.date.fromisoformat(value), pattern)
    except (TypeError, ValueError):
        return value
