"""
The demo accounts' passwords are public (README.md), so they open nothing unless DEBUG is on.

What is refused is the published pair, a demo username with its demo password, not the
username: a real account named `editor` with a password of its own signs in as any other.
Whether a pair is refused depends only on what was typed, never on the accounts that exist,
so the message says nothing about them. The backend refuses the pair wherever Django
authenticates; the admin's sign-in form checks first, to say why on the form.
"""

from axes.backends import AxesBackend, AxesStandaloneBackend
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from answers.management.commands.create_demo_accounts import DEMO_ACCOUNTS

REFUSED = "Demo accounts can sign in only on a development server (DEBUG=1)."


def is_refused(username, password):
    """True for a demo account's published username and password while DEBUG is off."""
    demo = DEMO_ACCOUNTS.get(username)
    return not settings.DEBUG and demo is not None and password == demo["password"]


class DemoPasswordsRefusedBackend(AxesBackend):
    """The site's one authentication backend: django-axes' lock, then Django's ModelBackend,
    which refuses the demo pairs while DEBUG is off. One backend rather than axes' and
    Django's side by side, because `User.objects.with_perm()` (desk/notifications.py)
    needs to be told which backend unless there is only one."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        # First, as axes asks: a locked-out account is refused before any password is checked.
        AxesStandaloneBackend.authenticate(self, request, username, password, **kwargs)
        if is_refused(username, password):
            return None
        return ModelBackend.authenticate(self, request, username, password, **kwargs)


class LoginForm(AdminAuthenticationForm):
    """The admin's sign-in form (admin.site.login_form), saying why a demo pair is refused."""

    def clean(self):
        if is_refused(self.cleaned_data.get("username"), self.cleaned_data.get("password")):
            raise ValidationError(REFUSED, code="demo_account")
        return super().clean()
