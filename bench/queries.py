"""Queries per request for each benchmarked page, counted by Django itself."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qasite.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

client = Client(headers={"x-forwarded-proto": "https"}, HTTP_HOST="127.0.0.1")
for name, url in zip(sys.argv[1::2], sys.argv[2::2], strict=True):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    print(f"{name} {len(queries)} {status}")
