"""
No typed word is lost: the server's half of the answer form's script
(desk/static/desk/keep_typing.js), which keeps what is typed in the browser and offers it back.

- `session_status`: asked before a save is sent. A save after the session expired would be
  redirected to the sign-in page by the admin and its text dropped; the script keeps the
  text and sends the person to sign in instead, back to the form, where it is offered back.
- `autosave` and `discard_autosave`: the copy kept on the server (`Autosave`), so that it is
  offered on another machine too. Staff who may change answers write their own copy only;
  it is held to the change form's limits (`AutosaveForm`), so that what is kept can be saved.
- `page_settings` gives the script what it needs; `saved` confirms a save to it with a
  cookie, since the page after a save may be the answer list, where no script runs. A save
  the server refused shows the form again, without the cookie: the copy stays.
"""

import re

from django.conf import settings
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from answers.models import Answer
from desk.forms import AutosaveForm
from desk.models import Autosave

# Set on the response to a save that succeeded, read (and cleared) by the script: entries
# "user:answer:version" ("add" for the add form, no version), separated by "|".
SAVED_COOKIE = "qasite_saved_form"
SAVED_COOKIE_ENTRIES = 20
SAVED_ENTRY = re.compile(r"\d+:(\d+|add):\d*")
SIGNED_OUT = (
    "You are signed out, so your text was not kept on the server; it is kept in this browser. "
    "Save, and you will be asked to sign in again."
)


def is_staff(user):
    return user.is_active and user.is_staff


@never_cache
@require_GET
def session_status(request):
    """Whether the person is still signed in. If so, also a CSRF token for the form: signing
    in again in another tab changes it, and the form's own would be refused."""
    if not is_staff(request.user):
        return JsonResponse({"signed_in": False})
    return JsonResponse(
        {"signed_in": True, "user": request.user.pk, "csrf_token": get_token(request)}
    )


def refusal(message, status=403, **extra):
    return JsonResponse({"error": message, **extra}, status=status)


@never_cache
@require_POST
def autosave(request, pk):
    """Keep this person's unsaved text of answer `pk`, replacing the one kept before. Never
    touches the answer."""
    if not is_staff(request.user):
        return refusal(SIGNED_OUT, signed_out=True)
    if not request.user.has_perm("answers.change_answer"):
        return refusal("You may not change answers, so nothing is kept on the server.")
    answer = get_object_or_404(Answer.objects.only("pk"), pk=pk)
    form = AutosaveForm(request.POST)
    if not form.is_valid():
        return refusal(f"Not kept on the server. {form.refusal()}", status=400)
    kept, _ = Autosave.objects.update_or_create(
        user=request.user,
        answer=answer,
        defaults={"fields": form.texts(), "started_from": form.cleaned_data["started_from"]},
    )
    return JsonResponse({"saved_at": kept.saved_at.isoformat()})


@never_cache
@require_POST
def discard_autosave(request, pk):
    """Forget this person's unsaved text of answer `pk` (Discard, or typed back to what is
    stored)."""
    if not is_staff(request.user):
        return refusal(SIGNED_OUT, signed_out=True)
    Autosave.objects.filter(user=request.user, answer_id=pk).delete()
    return JsonResponse({"discarded": True})


def page_settings(request, answer):
    """What the change form's script needs: whose copy it keeps and of which form, where to
    send it, and the copy kept on the server (`answer` None: the add form, kept locally)."""
    values = {
        "user": request.user.pk,
        "key": str(answer.pk) if answer else "add",
        "fields": [name for name in AutosaveForm.base_fields if name != "started_from"],
        "session_url": reverse("keep_typing:session"),
        "login_url": reverse("admin:login"),
        "saved_cookie": SAVED_COOKIE,
        "admin_path": reverse("admin:index"),
        "server_copy": None,
    }
    if answer is not None:
        values["autosave_url"] = reverse("keep_typing:autosave", args=[answer.pk])
        values["discard_url"] = reverse("keep_typing:discard", args=[answer.pk])
        kept = Autosave.objects.filter(user=request.user, answer=answer).first()
        if kept:
            values["server_copy"] = {
                "texts": kept.fields,
                "started_from": str(kept.started_from),
                "saved_at": kept.saved_at.isoformat(),
            }
    return values


def forget(request, answer, started_from, added=False):
    """`request.user` saved `answer` from the form opened at version `started_from`: their
    copy on the server goes, and `saved` tells the script to drop theirs."""
    Autosave.objects.filter(user=request.user, answer=answer).delete()
    key = "add" if added else answer.pk
    request.keep_typing_saved = f"{request.user.pk}:{key}:{started_from or ''}"


def saved(request, response):
    """`response` to a save, with the cookie that confirms it to the script, if it saved."""
    entry = getattr(request, "keep_typing_saved", None)
    if entry is None:
        return response
    earlier = [
        kept
        for kept in request.COOKIES.get(SAVED_COOKIE, "").split("|")
        if SAVED_ENTRY.fullmatch(kept) and kept != entry
    ]
    response.set_cookie(
        SAVED_COOKIE,
        "|".join([*earlier[-(SAVED_COOKIE_ENTRIES - 1) :], entry]),
        max_age=7 * 24 * 3600,
        path=reverse("admin:index"),
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
    return response
