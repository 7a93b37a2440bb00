"""Production-safe defaults: what a deployment gets when DEBUG is off."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# Set by the test run (DEBUG) or by the browser tests; a deployment has none of them.
NOT_IN_PRODUCTION = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        ALLOWED_HOSTS="qasite.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_redis_url_selects_the_shared_redis_cache():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        DEBUG="1",
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    assert result.stdout.strip().endswith("django.core.cache.backends.redis.RedisCache")
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        DEBUG="1",
    )
    assert result.stdout.strip().endswith("BoundedFileCache")  # shared by all local workers


DATABASES_SHOWN = (
    "from django.conf import settings; "
    "print(sorted(settings.DATABASES), getattr(settings, 'DATABASE_ROUTERS', []), "
    "'delivery.replicas.ReplicaReads' in settings.PUBLIC_MIDDLEWARE)"
)


def test_replicas_come_only_with_database_replica_urls():
    alone = manage("shell", "-c", DATABASES_SHOWN, DEBUG="1")
    # One database, exactly as before.
    assert alone.stdout.strip().splitlines()[-1] == "['default'] [] False"
    replicated = manage(
        "shell",
        "-c",
        DATABASES_SHOWN,
        DEBUG="1",
        DATABASE_REPLICA_URLS="postgres://r1.internal/qasite, postgres://r2.internal/qasite",
    )
    assert replicated.stdout.strip().splitlines()[-1] == (
        "['default', 'replica0', 'replica1'] ['delivery.replicas.ReplicaRouter'] True"
    )


def test_an_error_report_hides_the_connection_strings_a_server_puts_in_the_environ(rf):
    """granian copies its environment into each request's environ: a report of an error
    must not show the database's password."""
    import sys

    from django.views.debug import ExceptionReporter

    request = rf.get(
        "/ask/x/",
        DATABASE_URL="postgres://qasite:hunter2@db.internal/qasite",
        DATABASE_REPLICA_URLS="postgres://qasite:hunter2@replica.internal/qasite",
        REDIS_URL="redis://:hunter2@redis.internal:6379/0",
    )
    try:
        raise ValueError("boom")
    except ValueError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
    assert "boom" in report and "DATABASE_URL" in report and "REDIS_URL" in report
    assert "hunter2" not in report
