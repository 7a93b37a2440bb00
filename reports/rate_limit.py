"""
How many reports one client may send (django-ratelimit), and who "one client" is.

The client is the address the nearest proxy we do not run saw, found from the right of
X-Forwarded-For: nginx appends the address that connected to it, Varnish appends nginx's,
and gunicorn sees Varnish's as REMOTE_ADDR. Walking left only while the address in hand is
one of `TRUSTED_PROXIES` means that whatever a client writes into the header itself (it is
on the left) is never reached, so nobody can pose as another address or pick a fresh
address per request.

The counts live in their own cache (`RATELIMIT_USE_CACHE`). django-ratelimit counts with
`add` then `incr`, which must be atomic across workers; Django's file cache is not (its
incr is a read then a write, and it resets the entry's expiry), so without Redis the counts
are kept by `LockedFileCache`.
"""

import fcntl
import functools
import ipaddress
import logging
import os
import pickle
import tempfile
import time
import zlib
from contextlib import contextmanager

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django_ratelimit.core import get_usage

log = logging.getLogger(__name__)


@functools.cache
def _trusted_networks(proxies):
    return [ipaddress.ip_network(proxy, strict=False) for proxy in proxies]


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address):
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    return any(address in network for network in networks)


def client_ip(request):
    """The client's address as the nearest proxy we trust saw it (RATELIMIT_IP_META_KEY)."""
    address = _address(request.META.get("REMOTE_ADDR", ""))
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    while address is not None and _trusted(address) and hops:
        hop = _address(hops.pop())
        if hop is None:  # not written by a proxy we run: stop at the last address we trust
            break
        address = hop
    # No address at all (not over TCP): such requests share one count.
    return str(address or "0.0.0.0")


def client_network(request):
    """The client as a per-client limit counts it: its IPv4 address, or the first address
    of its IPv6 /64, which one subscriber is given whole (django-ratelimit groups report
    counts the same way). The sign-in limit (AXES_CLIENT_IP_CALLABLE) counts by this."""
    address = ipaddress.ip_address(client_ip(request))
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def reports_limit(request):
    """Count this report against its client's limit (`REPORTS_RATE_LIMIT`). Returns the
    seconds to wait when the limit is passed, else None. A cache that cannot be reached
    limits nobody: a patient's report matters more than a bot's, and the honeypot and
    the size limits still hold."""
    try:
        usage = get_usage(
            request,
            group="reports",
            key="ip",
            rate=settings.REPORTS_RATE_LIMIT,
            method="POST",
            increment=True,
        )
    except Exception:
        log.warning("Report rate limit not counted: its cache failed", exc_info=True)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return max(usage["time_left"], 1)


class LockedFileCache(FileBasedCache):
    """Django's file cache whose `add` and `incr` are atomic across the processes of one
    machine: each holds an exclusive lock on one file in the cache's folder. `incr` keeps
    the entry's expiry, so a count lasts exactly its window."""

    @contextmanager
    def _locked(self):
        self._createdir()
        descriptor = os.open(os.path.join(self._dir, "counts.lock"), os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # and with it the lock

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._locked():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self._locked():
            path = self._key_to_file(key, version)
            try:
                with open(path, "rb") as file:
                    expiry = pickle.load(file)
                    value = pickle.loads(zlib.decompress(file.read()))
            except (FileNotFoundError, EOFError):
                raise ValueError(f"Key {key!r} not found.") from None
            if expiry is not None and expiry < time.time():
                self._delete(path)
                raise ValueError(f"Key {key!r} not found.")
            value += delta
            descriptor, temporary = tempfile.mkstemp(dir=self._dir)
            with open(descriptor, "wb") as file:
                file.write(pickle.dumps(expiry, self.pickle_protocol))
                file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
            os.replace(temporary, path)
            return value
