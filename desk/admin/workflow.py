"""The answer's workflow page (one step of `STEPS`: its form, its checks, its outcome) and
the renumbering of its citations. Views of `AnswerAdmin`, which wires them in its URLs."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from answers import readability, schedule
from answers.attribution import uncited_blocks
from answers.models import Answer, TransitionError
from answers.workflow import STEPS, UPDATE_NOTE_LENGTH
from desk import translating
from desk.admin.base import admin_context
from desk.admin.comments import add_panel
from desk.diffing import content_diff


def transition_view(answer_admin, request, pk, action):
    answer = answer_admin.answer_for(request, pk)
    step = STEPS.get(action)
    if step is None:
        raise Http404
    error, comment = "", request.POST.get("comment", "")
    update_note = request.POST.get("update_note", "") if step.update_note else ""
    times = {}
    if step.takes:
        times = schedule.posted_times(request.POST if request.method == "POST" else {})
    if step.edits_expiry and request.method != "POST":
        times = schedule.shown_times(answer)  # the form starts from the expiry set now
    if request.method == "POST":
        try:
            answer.transition(
                action,
                request.user,
                comment=comment,
                expected_version=request.POST.get("version", ""),
                update_note=update_note,
                **schedule.parse_times(times),
            )
        except TransitionError as refused:
            # Shown above the form, with the comment kept: nothing typed is lost.
            error = " ".join(refused.messages)
            answer.refresh_from_db()
        else:
            answer.refresh_from_db()
            if step.edits_expiry:
                messages.success(request, schedule.expiry_message(answer))
            elif answer.status == Answer.Status.SCHEDULED:
                messages.success(request, schedule.scheduled_message(answer))
            else:
                messages.success(request, f"{step.label}: done.")
            return redirect("admin:answers_answer_change", answer.pk)
    context = admin_context(
        answer_admin,
        request,
        answer=answer,
        original=answer,
        action=action,
        step=step,
        refusal=answer.refusal(action, request.user),
        error=error,
        comment=comment,
        update_note=update_note,
        times=times,
        time_zones=schedule.TIME_ZONES,
        marked_uncited=[b for b in uncited_blocks(answer.research) if b.marked],
        reading_grades=readability.grade_answer(answer) if step.reading_grades else [],
        reading_target=settings.READING_GRADE_TARGET,
        update_note_length=UPDATE_NOTE_LENGTH,
        title=f"{step.label}: {answer}",
    )
    if action in ("approve", "send_back"):
        # What a reviewer decides on: the changes, the conversation, and the other way out.
        add_panel(request, context, answer)
        context["changes"] = changes_against_live(answer)
        # A translation: what it translates, beside it, and whether the original moved on.
        context["side_by_side"] = translating.side_by_side(answer)
        context["behind"] = translating.behind_notice(answer)
        context["send_back"] = action == "approve" and "send_back" in {
            a for a, _, refusal in answer.available_transitions(request.user) if not refusal
        }
    return TemplateResponse(request, "admin/answers/answer/transition.html", context)


def renumber_view(answer_admin, request, pk):
    answer = answer_admin.answer_for(request, pk, change=True)
    if request.method != "POST":
        return redirect("admin:answers_answer_change", answer.pk)
    try:
        changed = answer.renumber_by_first_use(
            request.user, expected_version=request.POST.get("version", "")
        )
    except TransitionError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Citations renumbered by order of first use; the markers in the text match."
            if changed
            else "The citations were already numbered by order of first use.",
        )
    return redirect("admin:answers_answer_change", answer.pk)


def changes_against_live(answer):
    """What patients would read differently if the draft were approved: the live version's
    frozen content against the draft's, shared records included. None if nothing is live."""
    live = answer.live_version
    if live is None:
        return None
    return content_diff(live.frozen(), answer.frozen_content())
