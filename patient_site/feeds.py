from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils import formats
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext

from answers import languages
from answers.models import Answer
from answers.publication import language_list_key
from citations.characters import strip_unprintable


class RecentlyReviewedFeed(Feed):
    """Newly published and re-reviewed answers in the address's language, newest review
    first (Atom): /feed/ the default language's, /es/feed/ the Spanish ones. Its title and
    the words it adds around the answers' own are in that language too; the answers' texts
    are as their approved versions hold them."""

    feed_type = Atom1Feed
    title = gettext_lazy("qasite: newly reviewed answers")
    subtitle = gettext_lazy("Answers to patient questions, each checked by a medical reviewer.")
    link = reverse_lazy("public:home")  # in the active language: /es/ for /es/feed/

    @property
    def language(self):
        """The feed's xml:lang: the address's language (delivery.middleware.PathLanguage
        activated it), as a BCP 47 tag."""
        return languages.tag(get_language())

    def items(self):
        return (
            Answer.objects.published()
            .in_language(get_language())
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
            # The date's format is the translators' to choose ("3 de marzo de 2027").
            date = formats.date_format(version.reviewed_on, pgettext("feed date", "j F Y"))
            updated = gettext("Updated %(date)s: %(note)s") % {
                "date": date,
                "note": version.update_note,
            }
            text = f"{updated}\n\n{text}"
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
        reviewer = f"{version.reviewer_name}, {version.reviewer_credentials}"
        if writers:
            credit = gettext("Written by %(writers)s, reviewed by %(reviewer)s") % {
                "writers": writers,
                "reviewer": reviewer,
            }
        else:
            credit = gettext("reviewed by %(reviewer)s") % {"reviewer": reviewer}
        return strip_unprintable(credit)


def feed_keys(request):
    """What the feed shows: its language's newly reviewed answers."""
    return [language_list_key(get_language())]
