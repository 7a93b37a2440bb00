"""The answer's revisions: the timeline, the comparison of two revisions, and restoring an
old one as the draft. Views of `AnswerAdmin`, which wires them in its URLs."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from answers.models import TransitionError
from desk.admin.base import admin_context
from desk.diffing import revision_diff


def timeline_view(answer_admin, request, pk):
    answer = answer_admin.answer_for(request, pk)
    revisions = list(
        answer.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    transitions = {t.revision: t for t in answer.transitions.select_related("user")}
    for revision in revisions:
        revision.transition = transitions.get(revision.history_id)
        revision.is_live = bool(answer.live_version) and (
            answer.live_version.answer_revision == revision.history_id
        )
    # By default, compare the newest revision with the live one (else the one before).
    live = answer.live_version.answer_revision if answer.live_version else None
    compare_from = live if live and live != revisions[0].history_id else None
    if compare_from is None and len(revisions) > 1:
        compare_from = revisions[1].history_id
    context = admin_context(
        answer_admin,
        request,
        answer=answer,
        original=answer,
        revisions=revisions,
        compare_from=compare_from,
        title=f"Revisions of “{answer}”",
    )
    return TemplateResponse(request, "admin/answers/answer/timeline.html", context)


def compare_view(answer_admin, request, pk):
    answer = answer_admin.answer_for(request, pk)
    try:
        ids = sorted(int(request.GET[key]) for key in ("from", "to"))
    except (KeyError, ValueError):
        messages.error(request, "Pick two revisions to compare.")
        return redirect("admin:answers_answer_timeline", pk=answer.pk)
    old = get_object_or_404(answer.history, history_id=ids[0])
    new = get_object_or_404(answer.history, history_id=ids[1])
    context = admin_context(
        answer_admin,
        request,
        answer=answer,
        original=answer,
        old=old,
        new=new,
        diff=revision_diff(old, new),
        title=f"Changes to “{answer}”",
    )
    return TemplateResponse(request, "admin/answers/answer/compare.html", context)


def restore_view(answer_admin, request, pk, history_id):
    answer = answer_admin.answer_for(request, pk, change=True)
    record = get_object_or_404(answer.history, history_id=history_id)
    if request.method == "POST":
        try:
            not_restored = answer.restore(
                record, request.user, expected_version=request.POST.get("version", "")
            )
        except TransitionError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("admin:answers_answer_timeline", pk=answer.pk)
        messages.success(
            request,
            "The old revision is now the current draft. The live version is unchanged "
            "until a medical reviewer approves.",
        )
        for message in not_restored:
            messages.warning(request, message)
        return redirect("admin:answers_answer_change", answer.pk)
    current = answer.latest_revision()
    context = admin_context(
        answer_admin,
        request,
        answer=answer,
        original=answer,
        record=record,
        diff=revision_diff(current, record),
        title=f"Restore an earlier revision of “{answer}”",
    )
    return TemplateResponse(request, "admin/answers/answer/restore.html", context)
