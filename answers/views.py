from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from answers.models import Answer
from answers.rendering import render_markdown
from citations.models import Source


def home(request):
    answers = Answer.objects.published().select_related("question__topic", "live_version")
    answers = answers.order_by("question__topic__name", "live_version__question_text")
    return render(request, "answers/home.html", {"answers": answers})


def with_notices(references):
    """The reference list with any retraction or concern notice known *now*: a safety
    notice reaches patients at once, without waiting for the next approval."""
    flagged = {
        source.pk: source
        for source in Source.objects.filter(
            pk__in=[ref.get("source_id") for ref in references],
            retraction_status__in=[Source.Retraction.RETRACTED, Source.Retraction.CONCERN],
        ).only("pk", "retraction_status", "retraction_notice_url")
    }
    return [{**ref, "notice": flagged.get(ref.get("source_id"))} for ref in references]


def answer_detail(request, slug):
    """The approved version of an answer, exactly as the reviewer approved it."""
    answer = get_object_or_404(Answer.objects.for_public_page(), question__slug=slug)
    page = answer.live_version
    return render(
        request,
        "answers/answer_detail.html",
        {"page": page, "references": with_notices(page.references)},
    )


@never_cache
def answer_preview(request, slug):
    """Editorial staff only: the current draft at its public layout, never cached nor indexed."""
    if not (request.user.is_staff and request.user.has_perm("answers.view_answer")):
        raise Http404
    answer = get_object_or_404(
        Answer.objects.select_related("question__topic__disclaimer", "disclaimer"),
        question__slug=slug,
    )
    page = answer.build_version()
    response = render(
        request,
        "answers/answer_detail.html",
        {
            "page": page,
            "references": with_notices(page.references),
            "answer": answer,
            "is_preview": True,
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_POST
def markdown_preview(request):
    """The admin's live preview (django-markdownx): staff only, through the public renderer."""
    if not (request.user.is_active and request.user.is_staff):
        return HttpResponseForbidden()
    content = request.POST.get("content", "")
    if len(content) > settings.MARKDOWN_MAX_CHARS:
        return HttpResponse(
            format_html(
                "<p><strong>No preview:</strong> the text is {} characters long; "
                "the limit is {}.</p>",
                len(content),
                settings.MARKDOWN_MAX_CHARS,
            )
        )
    return HttpResponse(render_markdown(content))
