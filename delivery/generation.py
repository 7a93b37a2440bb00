"""
Each process's view of the publication generation and its *marks*, which the domain records
with every change to a public page (answers/publication.py): a mark is a surrogate key (`a12`,
`t3`: a record public pages show) or a page's path (`/ask/slug/`: a tombstone) with the
generation at which it last moved. A kept page is served as it is only while none of its
keys moved after the generation it was rendered in; a tombstone says that no copy of its page
from before its generation may be served at all, not even while the database is down
(delivery/page_cache.py). Keys never start with "/", paths always do: one map holds both.

Its truth is in PostgreSQL: one `PageGeneration` row, moved in the change's own
transaction, only forward, with the change's `SurrogateKey` rows and tombstones.

Redis (`REDIS_URL`: a key, a hash of marks and a publish/subscribe channel) and a file
in `PAGE_CACHE_DIR`, shared by every worker of the machine, only mirror it, for speed. Once
the transaction commits, `announce()` writes both, each "only if higher", and publishes the
move. A mirror can be behind: a write that failed, a Redis restarted empty, restored from an
older snapshot or failed over to a replica that had not caught up. So:

- a process never adopts a lower number than one it knows, and writes what it knows back to
  a mirror it finds behind;
- each process's view (`Generation.current()`) polls its Redis subscription (a
  non-blocking read of a socket) and `stat`s the file on every request, which costs no
  round trip, and asks PostgreSQL at most every SYNC_SECONDS (one row, and the marks
  since), so a process that missed a message is behind for at most that long;
- a take-down waits SYNC_SECONDS once it has committed before it returns (`settle`): by
  then every process has either heard of it or asks PostgreSQL before serving anything.

A thread whose open transaction moved the generation sees None (the page cache serves and
keeps nothing for it) until that transaction ends: the pages it renders show changes that
are not committed yet, and could still be rolled back.
"""

import fcntl
import json
import logging
import os
import tempfile
import threading
import time
from pathlib import Path

import redis
from django.apps import apps
from django.conf import settings
from django.db import connections

from answers.publication import now

log = logging.getLogger(__name__)

# How often each process asks PostgreSQL, and how long a take-down waits after its commit.
SYNC_SECONDS = 0.5
# After PostgreSQL failed to answer, how long a process goes without asking again.
RETRY_SECONDS = 5
# Marks are read, kept and mirrored this long: longer than any copy is kept or served stale
# (a kept page is served on the day it was rendered only, a stale one for a day at most).
MARK_SECONDS = 2 * 24 * 3600
# Marks older than that are dropped when a process holds more than this many (or twice as
# many as after the last drop): one approval a minute moves about 4,000 keys a day.
PRUNE_ABOVE = 1000

_thread = threading.local()


def _merge(marks, more):
    """Merge `more` ({key or path: generation}) into `marks`, keeping the later of each."""
    for mark, value in more.items():
        if value > marks.get(mark, 0):
            marks[mark] = value


def _missing(seen, value, marks):
    """(whether a mirror that has shown `seen` is behind `value`, the `marks` it lacks). A
    mark older than MARK_SECONDS is never missing: the mirrors drop those, and a process
    that still holds one would otherwise write the mirror again on every sync."""
    known, known_marks = seen
    oldest = value - MARK_SECONDS * 1_000_000
    lacking = {m: v for m, v in marks.items() if v > oldest and known_marks.get(m, 0) < v}
    return known < value, lacking


def mark_pending():
    """This thread's open transaction changed what public pages show (answers.publication
    sends `pages_changing`): until it ends, the page cache serves and keeps nothing for it."""
    _thread.pending = True


def announce(value, keys=(), taken_down=()):
    """After the commit: this process knows the new value and marks at once, then the
    mirrors do."""
    _thread.pending = False
    view = generation()
    view.adopt(value, dict.fromkeys((*keys, *taken_down), value))
    view.mirror()


def settle():
    """Wait until every process has heard of a committed take-down or will ask PostgreSQL
    before serving anything (see the module's docstring)."""
    time.sleep(SYNC_SECONDS)


def read_truth(since):
    """(value, {key or path: generation} of the marks after `since`) from the primary, as
    committed; value None if the table is empty. On PostgreSQL this uses a connection of its
    own (autocommit, short timeouts), outside any request's transaction and query log."""
    table = apps.get_model("answers", "PageGeneration")._meta.db_table
    tombstones = apps.get_model("answers", "Tombstone")._meta.db_table
    keys = apps.get_model("answers", "SurrogateKey")._meta.db_table
    sql = (
        f"SELECT g.value, m.mark, m.generation FROM {table} g LEFT JOIN ("
        f"SELECT path AS mark, generation FROM {tombstones} WHERE generation > %s"
        f" UNION ALL SELECT key, generation FROM {keys} WHERE generation > %s"
        ") m ON TRUE WHERE g.id = 1"
    )
    if connections["default"].vendor == "postgresql":
        rows = _truth_connection().execute(sql, [since, since]).fetchall()
    else:  # SQLite (make run): the one file the server and the scheduler both read
        with connections["default"].cursor() as cursor:
            cursor.execute(sql, [since, since])
            rows = cursor.fetchall()
    if not rows:
        return None, {}
    marks = {}
    _merge(marks, {mark: value for _, mark, value in rows if mark is not None})
    return rows[0][0], marks


def raise_truth(known):
    """PostgreSQL's generation, raised to `known` if it is below."""
    table = apps.get_model("answers", "PageGeneration")._meta.db_table
    sql = f"UPDATE {table} SET value = %s WHERE id = 1 AND value < %s"
    if connections["default"].vendor == "postgresql":
        _truth_connection().execute(sql, [known, known])
    else:
        with connections["default"].cursor() as cursor:
            cursor.execute(sql, [known, known])


def _truth_connection():
    import psycopg

    connection = getattr(_thread, "truth", None)
    if connection is None or connection.closed:
        params = connections["default"].get_connection_params()
        for django_only in ("cursor_factory", "context", "prepare_threshold"):
            params.pop(django_only, None)
        # A server that does not answer costs one request a second, every RETRY_SECONDS.
        # A generation row locked by a publication still in progress is not waited for: that
        # transaction moves the number forward itself, and the next sync raises it if not.
        params.update(connect_timeout=1, options="-c statement_timeout=1000 -c lock_timeout=50")
        connection = psycopg.connect(**params, autocommit=True)
        _thread.truth = connection
    return connection


def _forget_truth_connection():
    connection = getattr(_thread, "truth", None)
    _thread.truth = None
    if connection is not None:
        try:
            connection.close()
        except Exception:  # already broken: nothing to close cleanly
            pass


class Generation:
    """This process's view of the generation and the marks (see the module's
    docstring): never lower than anything it has read."""

    def __init__(self, redis_url, directory, prefix):
        self.value = None  # None until some source has answered
        self.marks = {}
        self.file = FileMirror(directory)
        self.redis = RedisMirror(redis_url, prefix) if redis_url else None
        self.synced_at = float("-inf")
        self.retry_at = 0.0
        self.synced_value = None
        self.prune_above = PRUNE_ABOVE
        self.lock = threading.RLock()

    def current(self):
        """The generation a page kept now belongs to, or None: serve and keep nothing."""
        if getattr(_thread, "pending", False):
            if connections["default"].in_atomic_block:
                return None
            _thread.pending = False  # its transaction ended without a commit
        with self.lock:
            if self.redis is not None:
                self.adopt(*self.redis.poll())
            self.adopt(*self.file.poll())
            now = time.monotonic()
            if now - self.synced_at >= SYNC_SECONDS and now >= self.retry_at:
                self.sync(now)
            return self.value

    def sync(self, started=None):
        """Ask PostgreSQL, adopt what it says, and repair the mirrors if they are behind."""
        self.synced_at = started if started is not None else time.monotonic()
        since = self.synced_value or now() - MARK_SECONDS * 1_000_000
        try:
            value, marks = read_truth(since)
        except Exception as error:  # Django's or psycopg's errors, a timeout, no such table
            _forget_truth_connection()
            # From now, not from the start: the attempt itself may have waited its timeout.
            self.retry_at = time.monotonic() + RETRY_SECONDS
            log.warning("Could not read the publication generation: %s", error)
            return
        if value is None:
            return
        self.synced_value = max(value, self.synced_value or 0)
        self.adopt(value, marks)
        if self.value > value:
            # PostgreSQL went back (a restore, a clock behind on the server that moves it
            # next): raise it to what was known, so that the next move goes past it.
            try:
                raise_truth(self.value)
            except Exception as error:  # a read-only standby, a failover in progress
                log.warning("Could not raise the publication generation: %s", error)
        self.mirror()

    def adopt(self, value, marks):
        with self.lock:
            if value is not None and (self.value is None or value > self.value):
                self.value = value
            if not marks:
                return  # every request polls: nothing new costs nothing
            _merge(self.marks, marks)
            if self.value is not None and len(self.marks) > self.prune_above:
                oldest = self.value - MARK_SECONDS * 1_000_000
                self.marks = {mark: v for mark, v in self.marks.items() if v > oldest}
                self.prune_above = max(PRUNE_ABOVE, 2 * len(self.marks))

    def mirror(self):
        """Write to each mirror what this process knows and it has not shown."""
        with self.lock:
            if self.value is None:
                return
            for mirror in (self.file, self.redis):
                if mirror is not None:
                    behind, missing = mirror.missing(self.value, self.marks)
                    if behind or missing:
                        mirror.write(self.value, missing)

    def changed_since(self, rendered_in, marks):
        """Whether any of `marks` (a page's keys and path) moved after generation
        `rendered_in`: a dictionary read each."""
        get = self.marks.get
        return any(get(mark, 0) > rendered_in for mark in marks)

    def barred(self, paths, rendered_in):
        """The first of `paths` taken down after generation `rendered_in`, or None."""
        for path in paths:
            if self.marks.get(path, 0) > rendered_in:
                return path
        return None


class FileMirror:
    """generation.json in PAGE_CACHE_DIR: replaced by a rename under a lock, never lowered,
    and read again only when its inode, time or size changes (one `stat` a request). Two
    writes close together can leave all three as they were (a freed inode used again, a
    clock that moves in steps of milliseconds), so a file written in the last
    FRESH_SECONDS is read again every time."""

    FRESH_SECONDS = 1.0

    def __init__(self, directory):
        self.path = Path(directory) / "generation.json"
        self.stat = None
        self.seen = (0, {})

    def poll(self):
        try:
            stat = os.stat(self.path)
            seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if seen == self.stat:
                return None, {}
            data = json.loads(self.path.read_bytes())
            value, marks = int(data["value"]), dict(data["marks"])
        except (OSError, ValueError, KeyError, TypeError):
            return None, {}  # none yet, or unreadable: the next write replaces it
        settled = time.time() - stat.st_mtime > self.FRESH_SECONDS
        self.stat, self.seen = (seen if settled else None), (value, marks)
        return value, marks

    def missing(self, value, marks):
        return _missing(self.seen, value, marks)

    def write(self, value, marks):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path.with_suffix(".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # another worker's write in between is kept
                try:
                    data = json.loads(self.path.read_bytes())
                    value = max(value, int(data["value"]))
                    merged = dict(data["marks"])
                except (OSError, ValueError, KeyError, TypeError):
                    merged = {}
                _merge(merged, marks)
                oldest = value - MARK_SECONDS * 1_000_000
                merged = {p: v for p, v in merged.items() if v > oldest}
                fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".generation-")
                with os.fdopen(fd, "w") as file:
                    json.dump({"value": value, "marks": merged}, file)
                os.replace(temporary, self.path)  # a new inode: readers never see half of it
            self.seen = (value, merged)
        except OSError as error:
            log.error("Could not write the publication generation to %s: %s", self.path, error)


# Set the key only if higher, merge the marks (each only if later), drop the ones too
# old to matter, and publish: one script, so no reader sees the key and the hash disagree.
_WRITE = """
local value = tonumber(ARGV[2])
local known = tonumber(redis.call('GET', KEYS[1]) or '0')
if value > known then redis.call('SET', KEYS[1], ARGV[2]) end
for i = 5, #ARGV, 2 do
  local was = tonumber(redis.call('HGET', KEYS[2], ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > was then redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
end
local stored = redis.call('HGETALL', KEYS[2])
for i = 1, #stored, 2 do
  if tonumber(stored[i + 1]) < tonumber(ARGV[3]) then redis.call('HDEL', KEYS[2], stored[i]) end
end
redis.call('PUBLISH', ARGV[1], ARGV[4])
return known
"""


class RedisMirror:
    """The key, the hash of marks and the channel in Redis, named by the site's prefix and,
    for the channel (Redis's channels ignore database numbers), by the database too."""

    # After a failure, how long this process goes without trying Redis again, so that an
    # unreachable server costs one timeout every few seconds, not one per request.
    RETRY_SECONDS = 5

    def __init__(self, url, prefix):
        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        database = self.client.connection_pool.connection_kwargs.get("db", 0)
        self.key, self.hash = f"{prefix}:generation", f"{prefix}:marks"
        self.channel = f"{prefix}:db{database}:generation"
        self.script = self.client.register_script(_WRITE)
        self.subscription = None
        self.retry_at = 0.0
        self.seen = (0, {})

    def poll(self):
        """(value, marks) heard since the last poll, or read on (re)subscribing."""
        try:
            if self.subscription is None:
                if time.monotonic() < self.retry_at:
                    return None, {}
                return self._subscribe()
            value, marks = None, {}
            connection = self.subscription.connection
            # One non-blocking look at the socket when nothing came (every request, almost).
            while connection is not None and connection.can_read(timeout=0):
                message = self.subscription.get_message(timeout=0)
                if message is None:  # an ignored (subscribe) reply
                    continue
                data = json.loads(message["data"])
                value = max(value or 0, int(data["value"]))
                _merge(marks, {p: int(v) for p, v in data["marks"].items()})
            if value is not None:
                self.seen = (max(self.seen[0], value), {**self.seen[1], **marks})
            return value, marks
        except (redis.RedisError, ValueError, KeyError, TypeError) as error:
            self._failed(error)
            return None, {}

    def _subscribe(self):
        subscription = self.client.pubsub(ignore_subscribe_messages=True)
        subscription.subscribe(self.channel)
        # Subscribed first, then read: a move in between arrives as a message too.
        value, stored = self.client.pipeline().get(self.key).hgetall(self.hash).execute()
        self.subscription = subscription
        marks = {path.decode(): int(v) for path, v in stored.items()}
        value = int(value) if value is not None else None
        self.seen = (value or 0, marks)  # what Redis holds now, however low
        return value, marks

    def missing(self, value, marks):
        return _missing(self.seen, value, marks)

    def write(self, value, marks):
        if time.monotonic() < self.retry_at:
            return
        message = json.dumps({"value": value, "marks": marks})
        oldest = value - MARK_SECONDS * 1_000_000
        pairs = [item for path, v in marks.items() if v > oldest for item in (path, v)]
        try:
            self.script(
                keys=[self.key, self.hash], args=[self.channel, value, oldest, message, *pairs]
            )
            self.seen = (max(self.seen[0], value), {**self.seen[1], **marks})
        except redis.RedisError as error:
            log.error("Could not write the publication generation to Redis: %s", error)
            self._failed(error)

    def _failed(self, error):
        if self.subscription is not None:
            try:
                self.subscription.close()
            except redis.RedisError:
                pass
        self.subscription = None
        self.retry_at = time.monotonic() + self.RETRY_SECONDS

    def close(self):
        self._failed(None)
        self.retry_at = 0.0


_generation = None
_made_for = None


def generation():
    """This process's view: made on first use (so after gunicorn's fork), and again if the
    settings it was made from change (tests do that)."""
    global _generation, _made_for
    wanted = (settings.REDIS_URL, settings.PAGE_CACHE_DIR, settings.CACHE_KEY_PREFIX)
    if wanted != _made_for:
        if _generation is not None and _generation.redis is not None:
            _generation.redis.close()
        _generation = Generation(*wanted)
        _made_for = wanted
    return _generation
