"""
Public reads from PostgreSQL replicas (`DATABASE_REPLICA_URLS`); everything else from the
primary.

Only a public request reads from a replica: a GET or HEAD from someone signed out
(`ReplicaReads`, in both middleware stacks, after the page cache). The admin, every
write, every request that carries a session (a staff member reads what they just wrote),
management commands and cron jobs use the primary. Without replicas the router is not
installed and everything runs on the one database.

A replica is used only once it has replayed the last publication. Each publication moves
the page-cache generation on commit (delivery/page_cache.py); the first request a process
sees under a new generation asks the primary for its flushed WAL position (no table read;
asked again every couple of seconds, in case the generation's move on commit failed), and
a replica serves a public page only if `pg_last_wal_replay_lsn()`, asked on every such
request, has passed it. A replica behind that point, or down, is skipped: the primary answers. So
a page rendered, and kept in the page cache, after an approval or a withdrawal is never
the page from before it. A 404 read from a replica is asked of the primary again, in case
of anything this misses.
"""

import contextvars
import logging
import random
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

from delivery.generation import generation

log = logging.getLogger(__name__)

PRIMARY = "default"
# After a replica fails, how long it is left out before it is tried again.
RETRY_SECONDS = 5

# The replica this request reads from, or None (the primary).
_reading_from = contextvars.ContextVar("qasite_replica", default=None)
_lock = threading.Lock()
# The primary's position as of a generation, asked again after PUBLICATION_SECONDS in
# case the generation's move on commit failed (the position was read before the commit).
_publication = {"generation": None, "lsn": None, "at": 0.0}
PUBLICATION_SECONDS = 2
_down_until = {}  # replica alias -> time.monotonic() until which it is left out


def replica_aliases():
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


class ReplicaRouter:
    """Reads to the request's replica when `ReplicaReads` chose one; all else the primary."""

    def db_for_read(self, model, **hints):
        return _reading_from.get() or PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows, wherever they were read

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # replicas follow the primary's schema by replication


def read_alias():
    """The connection alias that reads now: for the raw SQL that does not go through the
    router (delivery/stored_pages.py)."""
    return _reading_from.get() or PRIMARY


def _publication_lsn():
    """The primary's WAL position as of the current generation, or None if unknown."""
    current = generation().current()
    if current is None:
        return None  # the generation cannot be read: no replica can be trusted to be current
    now = time.monotonic()
    with _lock:
        if _publication["generation"] == current and now - _publication["at"] < PUBLICATION_SECONDS:
            return _publication["lsn"]
    with connections[PRIMARY].cursor() as cursor:
        # Flushed WAL: every commit made so far is in it (with synchronous_commit off, a
        # commit of the last moments may not be; the position is asked again after
        # PUBLICATION_SECONDS). The insert position can lie past any record, where an idle
        # standby never gets.
        cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
        lsn = cursor.fetchone()[0]
    with _lock:
        _publication.update(generation=current, lsn=lsn, at=now)
    return lsn


def _caught_up(alias, lsn):
    """Asked on every request, on the connection that will serve it (no table read): a
    replica restarted or rebuilt from an older backup can go back."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
        return bool(cursor.fetchone()[0])


def _leave_out(alias, error):
    log.warning("Replica %s left out for %ss: %s", alias, RETRY_SECONDS, error)
    _down_until[alias] = time.monotonic() + RETRY_SECONDS


def choose_replica():
    """A replica that has replayed the last publication, or None: read from the primary."""
    now = time.monotonic()
    candidates = [a for a in replica_aliases() if _down_until.get(a, 0) <= now]
    if not candidates:
        return None
    try:
        lsn = _publication_lsn()
    except DatabaseError:
        return None  # the primary failed: the request will say so
    if lsn is None:
        return None
    random.shuffle(candidates)
    for alias in candidates:
        try:
            if _caught_up(alias, lsn):
                return alias
        except DatabaseError as error:
            _leave_out(alias, error)
    return None


def _public_read(request):
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith("/admin/")
    )


class ReplicaReads:
    """Send a signed-out visitor's GET to a caught-up replica, and anything the replica
    could not answer (a 404 while it lags, a failure) to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        alias = choose_replica() if replica_aliases() and _public_read(request) else None
        if alias is None:
            return self.get_response(request)
        token = _reading_from.set(alias)
        try:
            response = self.get_response(request)
        finally:
            _reading_from.reset(token)
        if getattr(response, "database_unavailable", False):
            _leave_out(alias, "a query failed")
        elif response.status_code != 404:
            return response
        return self.get_response(request)  # again, from the primary
