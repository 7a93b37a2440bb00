"""The app under granian (as deployed; gunicorn with QASITE_APP_SERVER=gunicorn) with
several workers, as in production, for tests that need real processes: pages cached by
one worker and invalidated for all."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
# The code the servers run: this tree, or another checkout (QASITE_APP_ROOT) to show that a
# test of real servers fails against an older release (CHANGELOG.md says how).
APP_ROOT = Path(os.environ.get("QASITE_APP_ROOT", ROOT)).resolve()
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = Path(sys.executable).with_name("gunicorn")
GRANIAN = Path(sys.executable).with_name("granian")
# The WSGI server the tests run the app under: granian, as README.md deploys it, or
# gunicorn (QASITE_APP_SERVER=gunicorn), which serves the same application.
APP_SERVER = os.environ.get("QASITE_APP_SERVER", "granian")


def server_command(workers, port):
    """The command that serves qasite's WSGI application on `port` with `workers`."""
    if APP_SERVER == "granian":
        return [str(GRANIAN), "--interface", "wsgi", "--workers", str(workers),
                "--blocking-threads", "1", "--host", "127.0.0.1", "--port", str(port),
                "--no-ws", "qasite.wsgi:application"]  # fmt: skip
    return [str(GUNICORN), "qasite.wsgi", "--workers", str(workers), "--bind",
            f"127.0.0.1:{port}", "--timeout", "30", "--graceful-timeout", "2"]  # fmt: skip


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(database_settings):
    """A DATABASE_URL for the database Django is connected to in this process."""
    d = database_settings
    host = d.get("HOST") or "127.0.0.1"
    user = d.get("USER") or "postgres"
    port = d.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{d['NAME']}"


@contextlib.contextmanager
def running_app(env, workers=2, port=None):
    """The app server serving qasite with `env` on `port` (a free one if None); yields its
    URL."""
    port = port or free_port()
    environment = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "qasite.settings",
        **env,
    }
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        server_command(workers, port),
        cwd=APP_ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url + "/robots.txt", timeout=5)
                break
            except requests.RequestException:  # not listening yet, or still importing
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(
                        f"{APP_SERVER} did not start: " + log.read().decode()[-2000:]
                    ) from None
                time.sleep(0.2)
        yield url
    finally:
        stop(process)
        log.close()


def manage(env, *args, timeout=300):
    """`manage.py ARGS` of the app under test, with `env` on top of this environment."""
    return subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=APP_ROOT, env={**os.environ, **env}, check=True, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def stop(process):
    """End a server started by a test, killing it if it will not stop."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
