from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from answers.models import Answer
from answers.rendering import render_markdown


def home(request):
    answers = Answer.objects.published().select_related("question__topic")
    answers = answers.order_by("question__topic__name", "question__text")
    return render(request, "answers/home.html", {"answers": answers})


def answer_detail(request, slug):
    answer = get_object_or_404(Answer.objects.for_public_page(), question__slug=slug)
    citations = answer.citations.select_related("source")
    return render(
        request,
        "answers/answer_detail.html",
        {"answer": answer, "question": answer.question, "citations": citations},
    )


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
