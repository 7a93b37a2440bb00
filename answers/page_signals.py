"""
What changes public pages outside the workflow, and so empties the page cache
(`answers.page_cache.pages_changed`): a cited source's retraction status or notice (shown
live on answer pages), and a topic or question (their names and addresses appear live on
the home and topic pages, and as links on answer pages, so their kept renderings go too:
answers/stored_pages.py). Approval and withdrawal call it themselves (answers/workflow.py).

A retraction notice is safety information: the pages of the live answers citing the source
get a tombstone, like a take-down, so that no copy without the notice is served even while
the database is down. So does the page of a topic or a live answer that is deleted.

Signals only for this side effect, as STYLE.md allows: the domain logic stays on models.
"""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from answers import stored_pages
from answers.models import Answer, Question, SitePolicy, Topic
from answers.page_cache import pages_changed
from citations.models import Source

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
        pages_changed(taken_down=pages, reason="Retraction status or notice changed")


@receiver(post_save, sender=Topic)
def _topic_saved(sender, instance, **kwargs):
    stored_pages.clear(Answer.objects.filter(question__topic=instance))
    pages_changed()


@receiver(post_save, sender=Question)
def _question_saved(sender, instance, **kwargs):
    stored_pages.clear(Answer.objects.filter(question=instance))
    pages_changed()


@receiver(post_save, sender=SitePolicy)
def _policy_saved(sender, **kwargs):
    pages_changed()


@receiver(post_delete, sender=Topic)
@receiver(post_delete, sender=Question)
def _listing_deleted(sender, instance, **kwargs):
    stored_pages.answers_changed()
    pages_changed(taken_down=[instance.get_absolute_url()], reason="Deleted")


@receiver(pre_delete, sender=Answer)
def _answer_deleted(sender, instance, **kwargs):
    if instance.live_version_id:
        pages_changed(taken_down=[instance.get_absolute_url()], reason="Deleted")
