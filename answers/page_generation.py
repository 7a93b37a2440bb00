"""
The publication generation: a token every event that changes a public page replaces
(`answers.page_cache.pages_changed`). A cached page is served only under the generation it
was rendered in, so one move drops every page in every worker of every app server.

Reading it is on the path of every cached page, so it costs no round trip:

- with Redis (`REDIS_URL`), the token is a key, and each move is also published on a
  channel. Each process subscribes once and, per request, only polls its subscription's
  socket (a non-blocking `select`): Redis writes the message to every subscriber before it
  answers the mover, so a request that follows a publication sees the new token. Only
  when the subscription is (re)made is the key read.
- without Redis, the token is a file in `PAGE_CACHE_DIR`, replaced atomically by a rename;
  each request compares the file's inode and modification time (one `stat`), and reads it
  again only when they differ. Every worker on the machine shares it.

When Redis cannot be reached the generation is None: the page cache then serves nothing
from memory and renders (the pages are still correct).
"""

import os
import secrets
import tempfile
import time
from pathlib import Path

import redis
from django.conf import settings

KEY = "pages:generation"
CHANNEL = "pages:generation"


class RedisGeneration:
    # After a failure, how long requests go without trying Redis again (so that an
    # unreachable server costs one timeout every few seconds, not one per request).
    RETRY_SECONDS = 5

    def __init__(self, url):
        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self.subscription = None
        self.token = None
        self.retry_at = 0.0

    def current(self):
        try:
            if self.subscription is None:
                if time.monotonic() < self.retry_at:
                    return None
                self._subscribe()
            while message := self.subscription.get_message(timeout=0):
                if message["type"] == "message":
                    self.token = message["data"].decode()
            return self.token
        except redis.RedisError:
            self._drop()
            self.retry_at = time.monotonic() + self.RETRY_SECONDS
            return None

    def _subscribe(self):
        subscription = self.client.pubsub(ignore_subscribe_messages=True)
        subscription.subscribe(CHANNEL)
        # Subscribed first, then read: a move in between arrives as a message.
        token = self.client.get(KEY)
        if token is None:
            self.client.set(KEY, secrets.token_hex(8), nx=True)
            token = self.client.get(KEY)
        self.subscription, self.token = subscription, token.decode()

    def _drop(self):
        if self.subscription is not None:
            try:
                self.subscription.close()
            except redis.RedisError:
                pass
        self.subscription = self.token = None

    def move(self):
        token = secrets.token_hex(8)
        pipe = self.client.pipeline()  # MULTI: no reader sees the key and the channel disagree
        pipe.set(KEY, token)
        pipe.publish(CHANNEL, token)
        pipe.execute()


class FileGeneration:
    def __init__(self, directory):
        self.path = Path(directory) / "generation"
        self.seen = None
        self.token = None

    def current(self):
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            self.move()
            stat = os.stat(self.path)
        seen = (stat.st_ino, stat.st_mtime_ns)
        if seen != self.seen:
            self.token = self.path.read_text()
            self.seen = seen
        return self.token

    def move(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".generation-")
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(8))
        os.replace(temporary, self.path)  # a new inode: readers never see half a token


_generation = None
_made_for = None


def generation():
    """This process's view of the generation: made on first use (so after gunicorn's fork),
    and again if the settings it was made from change (tests do that)."""
    global _generation, _made_for
    wanted = (settings.REDIS_URL, settings.PAGE_CACHE_DIR)
    if wanted != _made_for:
        if isinstance(_generation, RedisGeneration):
            _generation._drop()
        redis_url, directory = wanted
        _generation = RedisGeneration(redis_url) if redis_url else FileGeneration(directory)
        _made_for = wanted
    return _generation
