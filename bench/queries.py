"""Queries per request, counted by Django itself (CaptureQueriesContext), for any of the
benchmark's Django projects: run it with that project's Python, DJANGO_SETTINGS_MODULE
and PYTHONPATH. Usage: queries.py [--cache-off] NAME URL [NAME URL ...]

Each page is requested twice, and both counts are printed as JSON, one line a page:
"first" is a cold request (in qasite, a page-cache miss: the cache is emptied before),
"then" the steady state (in qasite, a page-cache hit). With --cache-off, qasite renders
every request (PUBLIC_PAGE_CACHE off)."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qasite.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries), response.status_code, response.get("X-Cache", "")


def main(args):
    cache_off = args[:1] == ["--cache-off"]
    if cache_off:
        args = args[1:]
    client = Client(headers={"x-forwarded-proto": "https"}, HTTP_HOST="127.0.0.1")
    with override_settings(PUBLIC_PAGE_CACHE=not cache_off):
        for name, url in zip(args[::2], args[1::2], strict=True):
            if hasattr(settings, "PAGE_CACHE_ALIAS"):
                from delivery import page_cache

                page_cache.clear()
            first, status, first_cache = count(client, url)
            then, then_status, then_cache = count(client, url)
            line = {"page": name, "first": first, "then": then, "status": [status, then_status]}
            if first_cache or then_cache:
                line["x_cache"] = [first_cache, then_cache]
            print(json.dumps(line))


if __name__ == "__main__":
    main(sys.argv[1:])
