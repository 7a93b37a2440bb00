"""The workflow log."""

from django.contrib import admin

from answers.models import Transition
from desk.admin.base import ReadOnlyAdmin


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    """The workflow log: read-only, for good."""

    list_display = ["at", "answer", "action", "from_status", "to_status", "user", "comment"]
    list_filter = ["action", "to_status"]
    search_fields = ["answer__question__text", "comment", "user__username"]
    list_select_related = ["answer__question", "user"]
    date_hierarchy = "at"
