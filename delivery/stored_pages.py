"""
Answer pages kept rendered with their published version, so that a page the page cache
does not hold is one indexed read, not a render.

A version's page is rendered the first time it is read and stored in the version's row
with the key it was rendered for: this deployment's templates and code, the site's page
epoch, whether the review was overdue, and the address it was asked for at (for the
canonical link). While the key a request computes matches, the stored page is the page.
Anything that could change the page without a new approval changes the key or clears it:

- a deployment that changes a template, a static file's name or the code: the release;
- a cited source's retraction notice: the epoch (`answers_changed`, one row, moved in the
  same transaction, so a page read before the change can never be stored under the key
  of after it);
- the day the review falls overdue: the overdue flag;
- a question's or topic's change (their addresses are links on the page): `clear`;
- a translation of the answer published, withdrawn or moved, or (on a translation's page)
  the original approved again: the translation group's live pages, read with the page.

Approval and withdrawal need nothing: they change which version is live.
"""

import hashlib
import json
import logging
import os
from collections import namedtuple
from contextlib import nullcontext
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from answers.models import Answer, PageEpoch, PublishedVersion, Question
from delivery import replicas

log = logging.getLogger(__name__)

Stored = namedtuple(
    "Stored",
    "version_id key etag next_review_due epoch group answer_id topic_id original_id source_ids"
    " html",
)


def _read_sql(with_page):
    answer, question = Answer._meta.db_table, Question._meta.db_table
    version, epoch = PublishedVersion._meta.db_table, PageEpoch._meta.db_table
    page = "v.page_html" if with_page else "''"
    # One statement written out, and prepared (`_PreparedCursor`): this read is the whole
    # cost of a page the cache lacks, and building it with the ORM cost more than running
    # it.
    # The translation group's live pages (language, version, address) are part of the key:
    # the page links them (hreflang, the language switcher), and a translation's page says
    # when its original was approved again.
    group = (
        "(SELECT string_agg(g.language || ':' || ga.live_version_id || ':' || g.slug, ','"
        " ORDER BY g.language)"
        f" FROM {question} g JOIN {answer} ga ON ga.question_id = g.id"
        " WHERE ga.live_version_id IS NOT NULL"
        " AND (g.id = COALESCE(q.translation_of_id, q.id)"
        " OR g.translation_of_id = COALESCE(q.translation_of_id, q.id)))"
    )
    return (
        "SELECT v.id, v.page_key, v.page_etag, v.next_review_due,"
        f" COALESCE(e.value, 0), {group}, a.id, q.topic_id,"
        f" COALESCE(q.translation_of_id, q.id), v.source_ids, {page}"
        f" FROM {answer} a"
        f" JOIN {question} q ON q.id = a.question_id"
        f" JOIN {version} v ON v.id = a.live_version_id"
        f" LEFT JOIN {epoch} e ON e.id = 1"
        " WHERE q.slug = %s AND q.language = %s"
    )


READ_PAGE, READ_VALIDATORS = _read_sql(True), _read_sql(False)


def find(slug, language, with_page=True):
    """The live version of the answer at `slug` in `language`, with its stored page (or,
    `with_page` False, only what a conditional request needs); None if no answer in that
    language is published there."""
    with _prepared_cursor() as cursor:
        cursor.execute(READ_PAGE if with_page else READ_VALIDATORS, [slug, language])
        row = cursor.fetchone()
    if row is None:
        return None
    stored = Stored(*row)
    if isinstance(stored.source_ids, str):  # Django's psycopg setup reads json as text
        stored = stored._replace(source_ids=json.loads(stored.source_ids))
    return stored


class _PreparedCursor(psycopg.Cursor):
    """Server-side binding, and always a prepared statement: PostgreSQL plans this join of
    four tables once per connection instead of on every read (planning it cost more than
    running it)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def _prepared_cursor():
    """A Django cursor (its error translation) over a `_PreparedCursor` on PostgreSQL.
    Django's own cursor elsewhere, and where queries are logged (DEBUG, tests counting
    queries): its log cannot show a prepared statement's SQL."""
    connection = connections[replicas.read_alias()]  # a replica for a public read
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django leaves it None, which turns preparing off altogether. Django's own
        # cursors bind on the client and never prepare; this makes only the queries that
        # ask to be prepared (this one) prepared.
        raw.prepare_threshold = 2**31 - 1
    return connection.make_cursor(_PreparedCursor(raw))


def key(request, stored):
    """What the page would be rendered for now."""
    overdue = bool(stored.next_review_due) and stored.next_review_due < timezone.localdate()
    parts = (
        f"{release()}|{stored.epoch}|{overdue:d}|{request.scheme}|{request.get_host()}"
        f"|{stored.group}"
    )
    return hashlib.md5(parts.encode(), usedforsecurity=False).hexdigest()


def store(version_id, page_key, html, etag):
    """Keep `html` as the version's page. A failure (a read-only database) only costs the
    next reader a render."""
    # In a transaction (tests, a caller's atomic block) a failed UPDATE must not abort it.
    savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with savepoint:
            PublishedVersion.objects.filter(pk=version_id).update(
                page_html=html, page_key=page_key, page_etag=etag
            )
    except DatabaseError:
        log.warning("Could not keep the rendered page of version %s", version_id, exc_info=True)


def answers_changed():
    """Every kept answer page may show something that changed (a retraction notice)."""
    if not PageEpoch.objects.filter(pk=1).update(value=F("value") + 1):
        PageEpoch.objects.get_or_create(pk=1, defaults={"value": 1})


def clear(answers):
    """The kept pages of `answers` (a queryset) are out of date."""
    PublishedVersion.objects.filter(pk__in=answers.published().values("live_version")).update(
        page_key=""
    )


_release = None


# Everything of ours that renders a page: templates (the project's and each app's), the
# code of every app and of qasite/ (views, template tags, formatting, settings), the static
# files (whose names and contents pages link), the compiled catalogues of the interface's
# translations. Tests and migrations render nothing.
RELEASE_SUFFIXES = (".py", ".html", ".txt", ".xml")  # anywhere in the tree
RELEASE_TREES = {"static": "", "locale": ".mo"}  # every file under static/, .mo under locale/
NOT_RELEASE = {"tests", "migrations", "node_modules", "bench", "deploy", "staticfiles"}


def release_files(root):
    """The files under `root` that render pages (above), in a stable order. Directories in
    NOT_RELEASE and hidden ones (.venv, .git) are never walked: a virtualenv in the tree
    holds tens of thousands of files, and each process reads the release once."""
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [
            name for name in subdirectories if name not in NOT_RELEASE and not name.startswith(".")
        ]
        top = Path(directory).relative_to(root).parts[:1]
        for name in names:
            if name.startswith(".") or name in NOT_RELEASE:
                continue
            suffix = RELEASE_TREES.get(top[0]) if top else None
            if name.endswith(RELEASE_SUFFIXES) or (suffix is not None and name.endswith(suffix)):
                found.append(Path(directory) / name)
    return sorted(found)


def release():
    """A digest of what renders a page besides its data: `release_files`, the collected
    static files' names and the settings the page shows. Computed once per process."""
    global _release
    if _release is None:
        root = Path(settings.BASE_DIR)
        files = release_files(root)
        manifest = Path(settings.STATIC_ROOT or "") / "staticfiles.json"
        if manifest.is_file():
            files.append(manifest)
        _release = release_digest(root, files)
    return _release


def release_digest(root, files, read=Path.read_bytes):
    # The settings a page shows: its publisher, and where its static files are.
    digest = hashlib.sha256(f"{settings.PUBLISHER_NAME}|{settings.STATIC_URL}".encode())
    for path in files:
        digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path).encode())
        digest.update(read(path))
    return digest.hexdigest()[:16]
