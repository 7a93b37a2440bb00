"""
How delivery hears that public pages changed (signals only for this side effect, as
STYLE.md allows: the domain imports nothing of delivery).

- The workflow records each publication and take-down itself (answers/publication.py) and
  says so with `pages_changing` (at once: this thread must neither serve nor keep pages
  until its transaction ends) and `pages_changed` (on commit: every app server hears of it,
  the proxies are purged, and a take-down waits until no process can still serve its page).
- Outside the workflow, saving what public pages show changes them too, and is recorded
  here the same way, with the surrogate keys of what changed: a cited source's retraction
  status or notice (shown live on answer pages), a topic's or question's public fields
  (their names and addresses appear on the home and topic pages, and as links on answer
  pages, so their kept renderings go too: delivery/stored_pages.py), a site policy. A save
  that changes none of them changes no page, and records nothing.

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
def _changed(sender, generation, keys, taken_down, **kwargs):
    announce(generation, keys, taken_down)
    if taken_down:
        # Every worker, on every app server, knows of it before the proxies are purged: a
        # proxy cannot refetch the page from one that does not after the purge.
        settle()
    proxy_purge.purge(keys, taken_down)


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
        publication.record(
            keys=[publication.source_key(instance.pk)],
            taken_down=pages,
            reason="Retraction status or notice changed",
        )


# What of a topic or a question public pages show as it is now (the rest is frozen in each
# approved version): their addresses, groups, and a topic's name and description.
PUBLIC_FIELDS = {
    Topic: ("name", "slug", "description", "language", "translation_of_id"),
    Question: ("slug", "language", "topic_id", "translation_of_id"),
}


@receiver(pre_save, sender=Topic)
@receiver(pre_save, sender=Question)
def _remember_public_fields(sender, instance, **kwargs):
    fields = PUBLIC_FIELDS[sender]
    instance._public_before = (
        sender.objects.filter(pk=instance.pk).values(*fields).first() if instance.pk else None
    )


def _changed_fields(instance):
    """(what public pages showed of `instance` before this save, or None if nothing of it
    changed)."""
    old = getattr(instance, "_public_before", None)
    now = {name: getattr(instance, name) for name in PUBLIC_FIELDS[type(instance)]}
    return None if old is None or old == now else old


@receiver(post_save, sender=Topic)
def _topic_saved(sender, instance, **kwargs):
    old = _changed_fields(instance)
    if old is None:
        return  # new (nothing lists a topic without answers yet), or nothing public changed
    stored_pages.clear(Answer.objects.filter(question__topic=instance))
    keys = [publication.topic_key(instance.pk)]
    for state in (
        old,
        {"language": instance.language, "translation_of_id": instance.translation_of_id},
    ):
        keys.append(publication.topic_list_key(state["language"]))
        if state["translation_of_id"]:  # its group's pages name it in their switchers
            keys.append(publication.topic_key(state["translation_of_id"]))
    publication.record(keys=keys, taken_down=_moved_from(instance, old), reason="Address changed")


@receiver(post_save, sender=Question)
def _question_saved(sender, instance, **kwargs):
    old = _changed_fields(instance)
    if old is None:
        return
    answers = Answer.objects.filter(question=instance)
    stored_pages.clear(answers)
    # Its translations' pages name its address (JSON-LD), even while it is not on the site.
    keys = [
        publication.group_key(state["translation_of_id"] or instance.pk)
        for state in (old, {"translation_of_id": instance.translation_of_id})
    ]
    for answer in answers.published():
        # Its page, its group's, its topic's list and its language's, before and after.
        before = Question(pk=instance.pk, **old)
        keys += publication.answer_on_site_keys(Answer(pk=answer.pk, question=before), True)
        keys += publication.answer_on_site_keys(answer, arrives_or_leaves=True)
    publication.record(keys=keys, taken_down=_moved_from(instance, old), reason="Address changed")


def _moved_from(new, old):
    """A page whose address changed leaves its old one as a take-down does: a copy kept
    there (still served stale while the database is down) would outlive what happens to
    the page at its new address."""
    moved = old["slug"] != new.slug or old["language"] != new.language
    return (
        [type(new)(slug=old["slug"], language=old["language"]).get_absolute_url()] if moved else []
    )


@receiver(post_save, sender=SitePolicy)
@receiver(post_delete, sender=SitePolicy)
def _policy_saved(sender, instance, **kwargs):
    publication.record(keys=[publication.policy_key(instance.kind)])


@receiver(post_delete, sender=Topic)
def _topic_deleted(sender, instance, **kwargs):
    stored_pages.answers_changed()
    keys = [
        publication.topic_key(instance.pk),
        publication.listing_key(instance.pk),
        publication.topic_list_key(instance.language),
    ]
    if instance.translation_of_id:
        keys.append(publication.topic_key(instance.translation_of_id))
    publication.record(keys=keys, taken_down=[instance.get_absolute_url()], reason="Deleted")


@receiver(post_delete, sender=Question)
def _question_deleted(sender, instance, **kwargs):
    stored_pages.answers_changed()
    # Its answer is gone: the lists it was on, and its topic's, if it was the last one.
    keys = publication.answer_on_site_keys(Answer(question=instance), arrives_or_leaves=True)[1:]
    publication.record(keys=keys, taken_down=[instance.get_absolute_url()], reason="Deleted")


@receiver(pre_delete, sender=Answer)
def _answer_deleted(sender, instance, **kwargs):
    if instance.live_version_id:
        publication.record(
            keys=publication.answer_on_site_keys(instance, arrives_or_leaves=True),
            taken_down=[instance.get_absolute_url()],
            reason="Deleted",
        )
