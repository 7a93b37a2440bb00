"""What the desk's admin screens share: the context of a custom admin page, a base for
records that are only read here, and the wording of messages that list answers."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html_join


def admin_context(model_admin, request, **context):
    """The context of a custom page of `model_admin`: the site's header, sidebar and
    breadcrumbs need `each_context` and `opts`, as on the admin's own pages."""
    return {**model_admin.admin_site.each_context(request), "opts": model_admin.opts, **context}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and records that can be read here, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def answer_links(answers):
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        ((reverse("admin:answers_answer_change", args=[a.pk]), a) for a in answers),
    )


def plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"
