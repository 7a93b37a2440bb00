"""The page's language as the public templates write it: the <html> element's lang and dir,
language names inside a sentence, and the language switcher."""

from django import template
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy

from answers import languages

register = template.Library()

# A language's name as a sentence in the page's language says it ("the version in
# English", "la versión en inglés"): lower case where the language writes it so, unlike
# the switcher's own names. Keyed by the language without its region; every language in
# settings.LANGUAGES has one (patient_site/tests/test_languages.py).
IN_A_SENTENCE = {
    "en": pgettext_lazy("language name in a sentence", "English"),
    "es": pgettext_lazy("language name in a sentence", "Spanish"),
    "ar": pgettext_lazy("language name in a sentence", "Arabic"),
}


@register.simple_tag
def language_tag():
    """The page's language as its lang attribute writes it (en-GB, es, ar)."""
    return languages.tag(get_language())


@register.simple_tag
def language_direction():
    """rtl for a language written right to left, else ltr."""
    return languages.direction(get_language())


@register.filter
def language_in_a_sentence(code):
    """`code`'s name, in the page's language, as a sentence says it ("inglés")."""
    name = IN_A_SENTENCE.get(code.partition("-")[0])
    return name if name is not None else languages.name(code)


@register.filter
def hreflang(code):
    """`code` as an hreflang or lang attribute writes it (en-GB)."""
    return languages.tag(code)


@register.inclusion_tag("answers/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Each language by its own name, linking to this page in that language where the view
    gave its address (`alternates` on an answer page: the same answer; `translations` on a
    topic page: {code: address}), else to that language's home page. Nothing when the site
    has one language."""
    if len(languages.codes()) < 2:
        return {"links": []}
    same_page = {alternate["code"]: alternate["url"] for alternate in context.get("alternates", ())}
    same_page.update(context.get("translations", {}))
    current = get_language()
    links = []
    for code in languages.codes():
        url = same_page.get(code)
        if url is None:
            with languages.speaking(code):
                url = reverse("public:home")
        links.append(
            {
                "tag": languages.tag(code),
                "name": languages.name(code),
                "direction": languages.direction(code),
                "url": url,
                "current": code == current,
            }
        )
    return {"links": links}
