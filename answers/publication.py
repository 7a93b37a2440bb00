"""
What went public, and when: the publication generation and the tombstones.

Every change to what patients can read (an approval, a withdrawal, an expiry, a retraction
notice, a topic or question saved or deleted) calls `pages_changed()` in its own
transaction. It moves `PageGeneration` there, to the later of one more and the time in
microseconds (so it only goes forward, even over a table emptied or restored from a
backup), and records a `Tombstone` for each page the change takes down. Both commit, or roll
back, with the change.

The layers that keep or send pages are told by signals, so the domain imports none of them
(delivery/receivers.py subscribes):

- `pages_changing`, at once, in the transaction: this thread now reads rows that are not
  committed yet;
- `pages_changed`, once the transaction commits, with the new generation and the pages
  taken down.
"""

import functools
import time

from django.apps import apps
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.dispatch import Signal

pages_changing = Signal()
pages_changed = Signal()


def now():
    """A generation's clock: microseconds since the epoch."""
    return int(time.time() * 1_000_000)


def record(taken_down=(), reason="Public pages changed"):
    """Public pages change in the current transaction (see the module's docstring); returns
    the new generation."""
    taken_down = tuple(dict.fromkeys(taken_down))
    # By name: the models import the workflow, which records publications here.
    PageGeneration = apps.get_model("answers", "PageGeneration")
    Tombstone = apps.get_model("answers", "Tombstone")
    with transaction.atomic(using="default"):
        moved = PageGeneration.objects.filter(pk=1).update(
            value=Greatest(F("value") + 1, Value(now()))
        )
        if not moved:  # an emptied table (a test flushes it): start again from the clock
            PageGeneration.objects.get_or_create(pk=1, defaults={"value": now()})
        value = PageGeneration.objects.filter(pk=1).values_list("value", flat=True).get()
        Tombstone.objects.bulk_create(
            Tombstone(path=path, generation=value, reason=reason) for path in taken_down
        )
    pages_changing.send(sender=PageGeneration, generation=value, taken_down=taken_down)
    transaction.on_commit(
        functools.partial(
            pages_changed.send, sender=PageGeneration, generation=value, taken_down=taken_down
        )
    )
    return value
