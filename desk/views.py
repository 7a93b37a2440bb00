"""The desk's own pages outside the admin's model screens: the live preview of editors'
Markdown and a draft read at its public layout. Staff only."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html, format_html_join
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from answers import languages, readability, translation
from answers.attribution import NO_CITATION, uncited_blocks
from answers.models import Answer
from answers.rendering import render_markdown, validate_markdown
from citations.characters import validate_printable
from desk.admin.comments import add_panel
from patient_site.views import page_alternates, with_notices


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
    url = request.build_absolute_uri(answer.get_absolute_url())
    context = {
        "page": page,
        "topic": answer.question.topic,
        "references": with_notices(page.references),
        "answer": answer,
        "is_preview": True,
        # As its public page will be: the group's pages on the site, and for a translation
        # behind its original, the notice that the original was updated since.
        "alternates": page_alternates(translation.alternates(answer.question), url, request),
        "original_update": original_update(answer),
    }
    add_panel(request, context, answer, back=request.get_full_path())
    # In the answer's language, as patients will read it: the interface's text, lang, dir.
    with languages.speaking(answer.question.language):
        response = render(request, "answers/answer_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def original_update(answer):
    """What the public page of `answer`, a translation, would say of its original if this
    draft were approved as it is: the original's update since the version it follows."""
    if not translation.is_behind(answer):
        return None
    original = translation.original_of(answer)
    return translation.OriginalUpdate(
        original.live_version.reviewed_on,
        original.get_absolute_url(),
        original.question.language,
    )


@require_POST
def markdown_preview(request):
    """The admin's live preview (django-markdownx): staff only, through the public renderer."""
    if not (request.user.is_active and request.user.is_staff):
        return HttpResponseForbidden()
    content = request.POST.get("content", "")
    # What the save would refuse is not rendered: the editor reads why, as they type.
    try:
        validate_markdown(content)
        validate_printable(content)
    except ValidationError as error:
        return HttpResponse(
            format_html("<p><strong>No preview:</strong> {}</p>", " ".join(error.messages))
        )
    section = request.GET.get("field")
    if section not in readability.SECTIONS:
        return HttpResponse(render_markdown(content))
    # The answer's language (desk.forms.SectionWidget): its reading-grade formula and target.
    language = request.GET.get("language")
    if language not in languages.codes():
        language = None
    notice = attribution_notice(content) if section == "research" else ""
    return HttpResponse(notice + readability.preview(section, content, language=language))


def attribution_notice(research):
    """Above the research preview: the paragraphs that cite nothing, and those the editor
    marked as needing no citation."""
    blocks = uncited_blocks(research)
    if not blocks:
        return ""
    items = format_html_join(
        "",
        '<li class="{}">{} “{}”</li>',
        (
            ("marked" if block.marked else "uncited",
             "Marked as needing no citation:" if block.marked else "Cites nothing:",
             block.excerpt)
            for block in blocks
        ),
    )  # fmt: skip
    uncited = sum(not block.marked for block in blocks)
    lead = (
        f"{uncited} paragraph(s) cite nothing. Add a citation, or end the paragraph with "
        f"{NO_CITATION} if it needs none: it cannot be submitted until then."
        if uncited
        else "Every paragraph cites a source or is marked as needing none."
    )
    return format_html(
        '<div class="attribution-check" role="status"><p>{}</p><ul>{}</ul></div>', lead, items
    )
