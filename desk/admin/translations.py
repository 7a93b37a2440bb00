"""An answer's translations in the admin: "Translate into…" (starting a translation of an
answer on the site), and "I have brought it up to date" on a translation whose original was
approved again. Views of `AnswerAdmin`, which wires them in its URLs; `add_panels` puts what
a translation's change form shows beside its fields (desk/translating.py)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from answers import languages, translation
from answers.models import Answer
from desk import translating
from desk.admin.base import admin_context
from desk.forms import TranslateForm


def may_translate(user):
    """Editors and reviewers write translations: a new question and its answer."""
    return user.has_perm("answers.add_answer") and user.has_perm("answers.add_question")


def translate_view(answer_admin, request, pk):
    original = answer_admin.answer_for(request, pk)
    if not may_translate(request.user):
        raise PermissionDenied
    refusal = _refusal(original)
    add_disclaimer_url = None  # where to translate the disclaimer, if that is what is missing
    form = TranslateForm(
        request.POST if request.method == "POST" else None,
        original=original,
        initial={"language": request.GET.get("language")},
    )
    if request.method == "POST" and not refusal and form.is_valid():
        data = form.cleaned_data
        try:
            draft = translation.start(
                original,
                data["language"],
                data["question"],
                data["slug"],
                request.user,
                topic_name=data.get("topic_name", ""),
            )
        except translation.TranslationRefused as error:
            form.add_error(None, str(error))
            if request.user.has_perm("answers.add_disclaimer"):
                add_disclaimer_url = _add_disclaimer_url(original, data["language"])
        except ValidationError as error:
            form.refused(error)  # on its fields, with what was typed kept
        else:
            messages.success(
                request,
                f"The {languages.english_name(data['language'])} translation is a draft, "
                "holding the original's approved text to translate, paragraph by paragraph "
                "beside it. Submit it for review when it is translated.",
            )
            return redirect("admin:answers_answer_change", draft.pk)
    context = admin_context(
        answer_admin,
        request,
        answer=original,
        original=original,
        form=form,
        refusal=refusal,
        add_disclaimer_url=add_disclaimer_url,
        translations=_translations(original),
        title=f"Translate “{original}”",
    )
    return TemplateResponse(request, "admin/answers/answer/translate.html", context)


def _refusal(original):
    """Why `original` cannot be translated now, or None."""
    if original.question.translation_of_id is not None:
        return "This answer is a translation: translate its original instead."
    if original.live_version_id is None:
        return (
            "Only an answer on the site can be translated: a translation starts from the "
            "version a medical reviewer approved."
        )
    if not translation.missing_languages(original):
        return "It has a translation into every language the site publishes in."
    return None


def _add_disclaimer_url(original, language):
    """The Disclaimer add form, filled in as the translation into `language` of the
    disclaimer `original` shows, if that has none yet (start() refuses then); else None."""
    shown = original.effective_disclaimer()
    if shown is None or shown.in_language(language) is not None:
        return None
    query = urlencode({"language": language, "translation_of": shown.group_original().pk})
    return f"{reverse('admin:answers_disclaimer_add')}?{query}"


def _translations(answer):
    """[(language's English name, answer)] of the group's other answers, for the page's
    list of translations there are."""
    group = translation.group(answer.question)
    answers = Answer.objects.filter(question__in=group).exclude(pk=answer.pk)
    return [
        (languages.english_name(a.question.language), a) for a in answers.select_related("question")
    ]


def catch_up_view(answer_admin, request, pk):
    """ "I have brought it up to date": the translation now follows the original's version
    whose changes its page showed (`seen`, posted by the form); refused if another version of
    the original went live since, for its changes were never shown."""
    answer = answer_admin.answer_for(request, pk, change=True)
    if request.method != "POST":
        return redirect("admin:answers_answer_change", answer.pk)
    original = translation.original_of(answer)
    if original is None:
        messages.error(request, "This answer is not a translation: it has no original to follow.")
    elif original.live_version_id is None:
        messages.error(request, "Its original is not on the site: there is no version to follow.")
    elif not translation.is_behind(answer):
        messages.info(
            request, "This translation already follows the original's version on the site."
        )
    else:
        _catch_up(request, answer, request.POST.get("seen", ""))
    return redirect("admin:answers_answer_change", answer.pk)


def _catch_up(request, answer, seen):
    if not seen.isdigit():  # a form from before the field, or a hand-made post
        messages.error(
            request,
            "Nothing was changed: read the original's changes on this page, then say that you "
            "have brought the translation up to date with them.",
        )
        return
    try:
        translation.catch_up(answer, request.user, seen=int(seen))
    except translation.TranslationRefused as error:
        messages.error(request, str(error))
        return
    answer.refresh_from_db()
    messages.success(
        request,
        "It now follows the original's approved version on the site. "
        + (
            "It is a draft again: submit it for review, so that a reviewer who reads "
            f"{languages.english_name(answer.question.language)} approves it."
            if answer.status == Answer.Status.DRAFT
            else "A reviewer must approve it again."
        ),
    )


def add_panels(request, context, answer):
    """What the change form of `answer` shows of its translation group: for a translation,
    the original beside it and, when behind, the original's changes since; for an original,
    its translations and "Translate into…"."""
    context["side_by_side"] = translating.side_by_side(answer)
    context["behind"] = translating.behind_notice(answer)
    if answer.question.translation_of_id is None:
        context["translations"] = _translations(answer)
        if may_translate(request.user) and _refusal(answer) is None:
            context["missing_languages"] = [
                languages.english_name(code) for code in translation.missing_languages(answer)
            ]
