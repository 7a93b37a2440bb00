"""The patient's side of reports: a form on its own page, never cached, so that the
answer page stays the same for everyone (no cookie, no Vary: Cookie)."""

import math

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from answers.models import Answer
from reports.forms import ReportForm
from reports.rate_limit import reports_limit


def _published(slug):
    """The published answer at `slug`: reports are only taken on what patients can read."""
    return get_object_or_404(
        Answer.objects.published().select_related("question", "live_version"),
        question__slug=slug,
        question__language=get_language(),  # in the address's language only, as the page
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report(request, slug):
    answer = _published(slug)
    form = ReportForm(request.POST if request.method == "POST" else None)
    context = {"answer": answer, "page": answer.live_version, "form": form}
    if request.method == "POST" and form.is_valid():
        wait = reports_limit(request)
        if wait:
            # What they wrote stays in the form: nothing is lost, it can be sent later.
            context["wait_minutes"] = math.ceil(wait / 60)
            return render(request, "reports/report_form.html", context, status=429)
        if not form.from_a_bot:  # a bot is thanked like anyone, and nothing is kept
            form.instance.answer = answer
            form.instance.version = answer.live_version
            form.save()
        return redirect("reports:thanks", slug=slug)
    status = 400 if form.errors else 200
    return render(request, "reports/report_form.html", context, status=status)


@never_cache
@require_safe
def thanks(request, slug):
    answer = _published(slug)
    return render(request, "reports/thanks.html", {"answer": answer, "page": answer.live_version})
