"""
The WSGI application: `PublicPages` in front of Django (delivery/front.py). It answers a
public page this process keeps without entering Django, hands other public pages to a
Django handler with only the middleware they need, and everything else (the admin, forms,
static files) to Django with all of it.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qasite.settings")
django_application = get_wsgi_application()

from delivery.front import PublicHandler, PublicPages  # noqa: E402 (needs Django set up)

application = PublicPages(django_application, PublicHandler())
