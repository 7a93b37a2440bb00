"""The site's own records: its policies, and the publication generation, tombstones and keys
(answers/publication.py) with the epoch of kept answer pages (delivery/stored_pages.py)."""

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from answers import rendering


class SitePolicy(models.Model):
    """Who runs the site, who pays for it and how it decides what to publish (JAMA's
    disclosure benchmark): managed content with history, linked from every page."""

    class Kind(models.TextChoices):
        OWNERSHIP = "ownership", "Ownership and funding"
        EDITORIAL = "editorial", "Editorial policy"
        CONFLICTS = "conflicts", "Conflicts of interest"

    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True)
    body = models.TextField(
        max_length=20_000,
        help_text="Markdown, as patients will read it.",
        validators=[rendering.validate_markdown],
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        verbose_name_plural = "site policies"

    def __str__(self):
        return self.get_kind_display()

    def get_absolute_url(self):
        return reverse("public:policy", args=[self.kind])

    @property
    def title(self):
        return self.get_kind_display()


class PageEpoch(models.Model):
    """One row. Moved when something every kept answer page may show changes without a new
    approval (a cited source's retraction notice), so that each is rendered again."""

    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"page epoch {self.value}"


class PageGeneration(models.Model):
    """One row: the publication generation's truth (answers/page_generation.py). Every event
    that changes a public page moves it in the event's own transaction, so it commits with
    the change. Redis and the page-cache directory only mirror it."""

    value = models.BigIntegerField()

    def __str__(self):
        return f"publication generation {self.value}"


class Tombstone(models.Model):
    """A page taken down (withdrawn, expired, deleted) or changed for safety (a retraction
    notice) at a generation: no copy of it, nor of a page that links to it, kept from before
    that generation is ever served again, by any layer, whatever fails."""

    path = models.CharField(max_length=300, help_text="The page's address, e.g. /ask/slug/.")
    generation = models.BigIntegerField(db_index=True)
    reason = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-generation"]

    def __str__(self):
        return f"{self.path} ({self.reason}, generation {self.generation})"


class SurrogateKey(models.Model):
    """A record public pages show (an answer, a topic, a cited source: the names are in
    answers/publication.py) and the generation at which it last changed. Every cached page
    carries the keys of what it was built from; a page kept from before one of its keys
    moved is never served again, and the proxies drop the pages carrying a key when it
    moves. One row per key, moved forward in the change's transaction."""

    key = models.CharField(max_length=100, unique=True)
    generation = models.BigIntegerField(db_index=True)

    def __str__(self):
        return f"{self.key} (generation {self.generation})"
