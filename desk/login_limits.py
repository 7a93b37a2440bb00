"""
How django-axes limits password guessing here: the page a locked-out sign-in gets, and the
username it counts under (AXES_LOCKOUT_CALLABLE, AXES_USERNAME_CALLABLE).

Axes refuses an account to a client after `LOGIN_FAILURE_LIMIT` failed sign-ins from that
client (qasite/settings.py). It checks the lock before any password, so a right password
and a wrong one get the same page: it tells a guesser nothing. The page says how long to
wait, in the admin's look, with 429 and Retry-After.
"""

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

USERNAME_MAX_LENGTH = AccessAttempt._meta.get_field("username").max_length


def username(request, credentials):
    """The username as typed, cut to the length axes stores. Django's sign-in form does not
    enforce the username's maximum length, and axes would fail to insert a longer one (a
    500 for anyone who pastes a page into the field); no account has such a name anyway."""
    typed = credentials.get("username") if credentials else request.POST.get("username")
    return typed[:USERNAME_MAX_LENGTH] if typed else typed


def lockout_response(request, original_response, credentials):
    wait = get_cool_off(request)
    minutes = max(round(wait.total_seconds() / 60), 1)
    context = {
        **admin.site.each_context(request),
        "title": "Wait before signing in again",
        "minutes": minutes,
    }
    response = TemplateResponse(request, "admin/login_locked.html", context, status=429)
    response["Retry-After"] = str(int(wait.total_seconds()))
    add_never_cache_headers(response)
    return response.render()
