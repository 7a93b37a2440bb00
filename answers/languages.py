"""
The languages qasite publishes in (settings.LANGUAGES), and what each needs: its BCP 47
tag as pages write it, its writing direction, its PostgreSQL text search configuration and
its name. The site's default language (settings.LANGUAGE_CODE) keeps the addresses without
a prefix; every other language's pages are under /<code>/.

Content records (topics, disclaimers, questions, and through its question each answer)
store the code as Django writes it, lower case ("en-gb", "es", "ar"): BCP 47 tags are
case-insensitive, and Django's URL prefixes and catalogues use this form.
"""

from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

# PostgreSQL's text search configuration for each language (`\dF` lists them); a language
# without one of its own is searched with "simple" (no stemming, no stop words).
SEARCH_CONFIGS = {"en": "english", "es": "spanish", "ar": "arabic"}


def default():
    return settings.LANGUAGE_CODE


def default_only():
    """[the default language]: what a new reviewer profile reviews in."""
    return [settings.LANGUAGE_CODE]


def codes():
    return [code for code, _ in settings.LANGUAGES]


def choices():
    return list(settings.LANGUAGES)


def is_default(code):
    return code == settings.LANGUAGE_CODE


def name(code):
    """The language's name in that language, as the switcher shows it ("Español")."""
    return dict(settings.LANGUAGES).get(code, code)


def english_name(code):
    """The language's name in English, as the admin shows it ("Spanish"; "English" for
    en-gb: the staff need the language, not its variety)."""
    if code not in codes():
        return code
    return translation.get_language_info(code.partition("-")[0])["name"]


def tag(code):
    """The BCP 47 tag in its conventional case, for hreflang, lang and inLanguage: en-GB."""
    language, _, region = code.partition("-")
    return f"{language}-{region.upper()}" if region else language


def direction(code):
    return "rtl" if translation.get_language_info(code)["bidi"] else "ltr"


def search_config(code):
    return SEARCH_CONFIGS.get(code.partition("-")[0], "simple")


def from_path(path):
    """The language a public address is in: its prefix's, else the default."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


@contextmanager
def speaking(code):
    """Render and reverse in `code`'s language (its addresses carry its prefix)."""
    with translation.override(code or settings.LANGUAGE_CODE):
        yield
