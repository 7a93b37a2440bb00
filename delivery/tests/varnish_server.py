"""A real Varnish with the deploy VCL (deploy/varnish/default.vcl), for the tests that put
it in front of the app."""

import contextlib
import os
import re
import shutil
import subprocess
import time

import pytest
import requests

from delivery.tests.app_server import APP_ROOT, free_port, stop

VCL = APP_ROOT / "deploy" / "varnish" / "default.vcl"
BACKEND_PORT = re.compile(r'(\.port = ")8000(";)')


def varnishd():
    path = shutil.which("varnishd") or "/usr/sbin/varnishd"
    if not os.access(path, os.X_OK):
        pytest.fail(
            "varnishd is not installed. `make test` installs Debian's varnish; or run "
            "`apt-get install -y varnish`.",
            pytrace=False,
        )
    return path


class Varnish(str):
    """Varnish's base URL, which also knows its work directory (for varnishstat)."""

    workdir = None

    def objects(self):
        """How many objects Varnish holds now."""
        return self.counter("MAIN.n_object")

    def counter(self, name):
        """One of varnishstat's counters, e.g. MAIN.n_gunzip."""
        result = subprocess.run(
            ["varnishstat", "-n", str(self.workdir / "varnish"), "-1", "-f", name],
            capture_output=True, text=True, check=True, timeout=30,
        )  # fmt: skip
        return int(result.stdout.split()[1])


@contextlib.contextmanager
def running_varnish(backend_port, workdir):
    """Varnish on a free port with the deploy VCL, its backend moved to `backend_port`."""
    vcl, replaced = BACKEND_PORT.subn(rf"\g<1>{backend_port}\g<2>", VCL.read_text())
    assert replaced == 1, f'{VCL} must name its backend port once, as .port = "8000";'
    (workdir / "default.vcl").write_text(vcl)
    url = Varnish(f"http://127.0.0.1:{free_port()}")
    url.workdir = workdir
    log = open(workdir / "varnishd.log", "w+")
    # -j none: run as the invoking user, so the work directory needs no other owner.
    process = subprocess.Popen(
        [varnishd(), "-F", "-j", "none", "-n", str(workdir / "varnish"), "-T", "none",
         "-a", url.removeprefix("http://"), "-f", str(workdir / "default.vcl"),
         "-s", "malloc,32m"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:  # a PURGE is answered by Varnish itself, without the backend
            try:
                if requests.request("PURGE", url + "/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet (a busy machine)
                time.sleep(0.2)
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"Varnish did not start:\n{log.read()}", pytrace=False)
            time.sleep(0.05)
        yield url
    finally:
        stop(process)
        log.close()
