"""
What went public, and when: the publication generation, the tombstones and the surrogate
keys.

Every change to what patients can read (an approval, a withdrawal, an expiry, a retraction
notice, a topic or question saved or deleted) calls `record()` in its own transaction,
naming the records it changed by their surrogate keys (below). It moves `PageGeneration`
there, to the later of one more and the time in microseconds (so it only goes forward, even
over a table emptied or restored from a backup), moves each key's `SurrogateKey` row to that
generation, and records a `Tombstone` for each page the change takes down. All commit, or
roll back, with the change.

Every cached page carries the keys of what it was built from (delivery/pages.py), so a
change reaches exactly the pages that show what changed, in every cache, and no other:

- `a<answer id>`, an answer's live version: its page;
- `g<question id>`, a translation group (named by its original's question): each member's
  page (hreflang, the language switcher, the original's update);
- `t<topic id>`, a topic's name, address and description: its pages, its group's, and its
  answers' pages;
- `tl<topic id>`, the answers a topic lists: its pages and its group's;
- `list-<language>`, the answers the site lists in a language: home and the feed in it,
  and the sitemap (every language's);
- `search-<language>`, the answers search can find in a language: each search page in it,
  moved when an answer comes onto the site or leaves it. A search page also carries the
  key of each answer it lists, so an approval reaches the searches that list the answer at
  once; a search that did not list it finds its new wording when Varnish's copy ends
  (`PROXY_CACHE_SECONDS`), without emptying every search on every approval;
- `topics-<language>`, the topics it lists in a language: home and search in it, and the
  sitemap;
- `s<source id>`, a cited source's retraction notice: the pages of the answers citing it;
- `p-<kind>`, a site policy: its page, in every language;
- `l-<language>`, the interface's translations: every page in that language;
- `all`: every page (a deployment, `manage.py purge_pages --all`).

What an approved version froze (its text, references, disclaimer, writers and reviewer) changes
only with the next approval, which moves the answer's key: those records need no key of
their own.

The layers that keep or send pages are told by signals, so the domain imports none of them
(delivery/receivers.py subscribes):

- `pages_changing`, at once, in the transaction: this thread now reads rows that are not
  committed yet;
- `pages_changed`, once the transaction commits, with the new generation, the keys moved and
  the pages taken down.
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

EVERY_PAGE = "all"


def answer_key(answer_id):
    return f"a{answer_id}"


def group_key(original_question_id):
    return f"g{original_question_id}"


def topic_key(topic_id):
    return f"t{topic_id}"


def listing_key(topic_id):
    return f"tl{topic_id}"


def language_list_key(language):
    return f"list-{language}"


def search_key(language):
    return f"search-{language}"


def topic_list_key(language):
    return f"topics-{language}"


def source_key(source_id):
    return f"s{source_id}"


def policy_key(kind):
    return f"p-{kind}"


def interface_key(language):
    return f"l-{language}"


def answer_on_site_keys(answer, arrives_or_leaves=False):
    """What changes when `answer`'s live version does (approved, taken down, moved): its
    page, its translation group's pages, its topic's list, and its language's lists. An
    answer that `arrives_or_leaves` (its first approval, a take-down, a move) changes what
    search finds in its language; and it can be its topic's only one: the topic then comes
    onto the site or leaves it, so the topic's own key moves too (the switchers of its
    translations name it) and its language's list of topics."""
    question = answer.question
    keys = [
        answer_key(answer.pk),
        group_key(question.translation_of_id or question.pk),
        listing_key(question.topic_id),
        language_list_key(question.language),
    ]
    if arrives_or_leaves:
        keys.append(search_key(question.language))
        others = (
            apps.get_model("answers", "Answer")
            .objects.published()
            .filter(question__topic_id=question.topic_id)
            .exclude(pk=answer.pk)
        )
        if not others.exists():
            keys += [topic_key(question.topic_id), topic_list_key(question.language)]
    return keys


def now():
    """A generation's clock: microseconds since the epoch."""
    return int(time.time() * 1_000_000)


def record(keys=(), taken_down=(), reason="Public pages changed"):
    """Public pages showing `keys` change in the current transaction, and the pages at the
    paths `taken_down` leave the site (see the module's docstring); returns the new
    generation."""
    keys = tuple(dict.fromkeys(keys))
    taken_down = tuple(dict.fromkeys(taken_down))
    # By name: the models import the workflow, which records publications here.
    PageGeneration = apps.get_model("answers", "PageGeneration")
    Tombstone = apps.get_model("answers", "Tombstone")
    SurrogateKey = apps.get_model("answers", "SurrogateKey")
    with transaction.atomic(using="default"):
        moved = PageGeneration.objects.filter(pk=1).update(
            value=Greatest(F("value") + 1, Value(now()))
        )
        if not moved:  # an emptied table (a test flushes it): start again from the clock
            PageGeneration.objects.get_or_create(pk=1, defaults={"value": now()})
        value = PageGeneration.objects.filter(pk=1).values_list("value", flat=True).get()
        SurrogateKey.objects.bulk_create(
            [SurrogateKey(key=key, generation=value) for key in keys],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["generation"],
        )
        Tombstone.objects.bulk_create(
            Tombstone(path=path, generation=value, reason=reason) for path in taken_down
        )
    sent = {"generation": value, "keys": keys, "taken_down": taken_down}
    pages_changing.send(sender=PageGeneration, **sent)
    transaction.on_commit(functools.partial(pages_changed.send, sender=PageGeneration, **sent))
    return value
