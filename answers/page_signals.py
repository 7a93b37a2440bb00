"""
What changes public pages outside the workflow, and so empties the page cache
(`answers.page_cache.pages_changed`): a cited source's retraction status or notice (shown
live on answer pages), and a topic or question (their names and addresses appear live on
the home and topic pages). Approval and withdrawal call it themselves (answers/workflow.py).

Signals only for this side effect, as STYLE.md allows: the domain logic stays on models.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from answers.models import Question, Topic
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
        pages_changed()


@receiver(post_save, sender=Topic)
@receiver(post_delete, sender=Topic)
@receiver(post_save, sender=Question)
@receiver(post_delete, sender=Question)
def _listing_changed(sender, **kwargs):
    pages_changed()
