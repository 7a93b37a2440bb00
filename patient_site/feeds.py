from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from answers.models import Answer
from citations.characters import strip_unprintable


class RecentlyReviewedFeed(Feed):
    """Newly published and re-reviewed answers, newest review first (Atom)."""

    feed_type = Atom1Feed
    title = "qasite: newly reviewed answers"
    subtitle = "Answers to patient questions, each checked by a medical reviewer."
    link = reverse_lazy("public:home")

    def items(self):
        return (
            Answer.objects.published()
            .order_by("-live_version__approved_at")
            .select_related("live_version", "question")[:30]
        )

    # XML has no place for control characters: one stored before the admin refused them
    # (or restored from such a revision) must not take the feed down for everyone.

    def item_title(self, answer):
        return strip_unprintable(answer.live_version.question_text)

    def item_description(self, answer):
        """The answer's update note when this approval has one ("Updated 3 March 2027:
        added the 2026 trial results"), then its short answer. Escaped by the generator."""
        version = answer.live_version
        text = version.short_answer
        if version.update_note:
            text = f"Updated {version.reviewed_on:%-d %B %Y}: {version.update_note}\n\n{text}"
        return strip_unprintable(text)

    def item_link(self, answer):
        return answer.get_absolute_url()

    def item_guid(self, answer):
        # A new review is a new entry: readers see re-reviewed answers again.
        return f"{answer.get_absolute_url()}#reviewed-{answer.live_version.reviewed_on}"

    item_guid_is_permalink = False

    def item_updateddate(self, answer):
        return answer.live_version.approved_at

    def item_pubdate(self, answer):
        return answer.live_version.approved_at

    def item_author_name(self, answer):
        version = answer.live_version
        writers = "; ".join(author["display_name"] for author in version.authors)
        reviewed = f"reviewed by {version.reviewer_name}, {version.reviewer_credentials}"
        return strip_unprintable(f"Written by {writers}, {reviewed}" if writers else reviewed)
