"""
How delivery hears that public pages changed (signals only for this side effect, as
STYLE.md allows: the domain imports nothing of delivery).

- The workflow records each publication and take-down itself (answers/publication.py) and
  says so with `pages_changing` (at once: this thread must neither serve nor keep pages
  until its transaction ends) and `pages_changed` (on commit: every app server hears of it,
  the proxies are purged, and a take-down waits until no process can still serve its page).
- Outside the workflow, saving what public pages show changes them too, and is recorded
  here the same way: a cited source's retraction status or notice (shown live on answer
  pages), a topic or question (their names and addresses appear on the home and topic
  pages, and as links on answer pages, so their kept renderings go too:
  delivery/stored_pages.py), a site policy.

A retraction notice is safety information: the pages of the live answers citing the source
get a tombstone, like a take-down, so that no copy without the notice is served even while
the database is down. So does the page of a topic or a live answer that is deleted.
"""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from answers import publication
from answers.models import Answer, Question, SitePolicy, Topic
from citations.models import Source
from delivery import proxy_purge, stored_pages
from delivery.generation import announce, mark_pending, settle


@receiver(publication.pages_changing)
def _changing(sender, **kwargs):
    mark_pending()


@receiver(publication.pages_changed)
def _changed(sender, generation, taken_down, **kwargs):
    announce(generation, taken_down)
    if taken_down:
        # Every worker, on every app server, knows of it before the proxies are purged: a
        # proxy cannot refetch the page from one that does not after the purge.
        settle()
    proxy_purge.purge(taken_down)


NOTICE_FIELDS = ("retraction_status", "retraction_notice_url")


@receiver(pre_save, sender=Source)
def _remember_notice(sender, instance, **kwargs):
    old = (
        sender.objects.filter(pk=instance.pk).values(*NOTICE_FIELDS).first()
        if instance.pk
        else None
    )
    instance._notice_before = old


@receiver(post_save, sender=Source)
def _source_saved(sender, instance, created, **kwargs):
    old = getattr(instance, "_notice_before", None)
    now = {name: getattr(instance, name) for name in NOTICE_FIELDS}
    if old is not None and old != now:
        stored_pages.answers_changed()
        citing = Answer.objects.published().filter(citations__source=instance).distinct()
        pages = [answer.get_absolute_url() for answer in citing.select_related("question")]
        publication.record(taken_down=pages, reason="Retraction status or notice changed")


@receiver(post_save, sender=Topic)
def _topic_saved(sender, instance, **kwargs):
    stored_pages.clear(Answer.objects.filter(question__topic=instance))
    publication.record(taken_down=_moved_from(instance), reason="Address changed")


@receiver(post_save, sender=Question)
def _question_saved(sender, instance, **kwargs):
    stored_pages.clear(Answer.objects.filter(question=instance))
    publication.record(taken_down=_moved_from(instance), reason="Address changed")


@receiver(pre_save, sender=Topic)
@receiver(pre_save, sender=Question)
def _remember_address(sender, instance, **kwargs):
    old = None
    if instance.pk:
        old = sender.objects.filter(pk=instance.pk).values("slug", "language").first()
    moved = old is not None and old != {"slug": instance.slug, "language": instance.language}
    # The old address in the old language: /es/ask/<old slug>/ for a Spanish question.
    instance._address_before = sender(**old).get_absolute_url() if moved else None


def _moved_from(instance):
    """A page whose address changed leaves its old one as a take-down does: a copy kept
    there (still served stale while the database is down) would outlive what happens to
    the page at its new address."""
    old = getattr(instance, "_address_before", None)
    return [old] if old else []


@receiver(post_save, sender=SitePolicy)
def _policy_saved(sender, **kwargs):
    publication.record()


@receiver(post_delete, sender=Topic)
@receiver(post_delete, sender=Question)
def _listing_deleted(sender, instance, **kwargs):
    stored_pages.answers_changed()
    publication.record(taken_down=[instance.get_absolute_url()], reason="Deleted")


@receiver(pre_delete, sender=Answer)
def _answer_deleted(sender, instance, **kwargs):
    if instance.live_version_id:
        publication.record(taken_down=[instance.get_absolute_url()], reason="Deleted")
