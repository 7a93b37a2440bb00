"""What error reports (Django's debug page, a mail to ADMINS, a logged request) leave out."""

import re

from django.views.debug import SafeExceptionReporterFilter


class ReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, which hides settings and request variables named like secrets, also
    hiding connection strings: `DATABASE_URL`, `DATABASE_REPLICA_URLS`, `REDIS_URL` and the
    like hold passwords. granian copies the server's environment into every request's
    environ, where Django's own filter would show them."""

    hidden_settings = re.compile(
        r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|_URLS?$", flags=re.IGNORECASE
    )
