"""
Reference formatting in AMA style (the convention in medicine).

Every value is escaped: source fields are editor input and never reach a page raw.
"""

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

AMA_MAX_AUTHORS = 6
AMA_AUTHORS_BEFORE_ET_AL = 3


def author_list(authors):
    """Authors as AMA lists them: all up to six, else the first three and "et al"."""
    names = [name.strip() for name in authors.split(";") if name.strip()]
    truncated = bool(names) and names[-1].lower().rstrip(".").startswith("et al")
    if truncated:
        names = names[:-1]
    if len(names) > AMA_MAX_AUTHORS:
        names, truncated = names[:AMA_AUTHORS_BEFORE_ET_AL], True
    if not names:
        return ""
    return ", ".join(names) + (", et al" if truncated else "")


def _sentence(text):
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def format_reference(source):
    """One reference as safe HTML: `Schett G, …. Title. <i>Lancet</i>. 2023;402(10416):2034.`"""
    parts = []
    authors = author_list(source.authors)
    if authors:
        parts.append(escape(_sentence(authors)))
    parts.append(escape(_sentence(source.title)))
    if source.container_title:
        parts.append(format_html("<i>{}</i>.", source.container_title.strip().rstrip(".")))
    if source.kind == source.Kind.ARTICLE:
        published = str(source.year or "")
        if source.volume:
            published += f";{source.volume}"
            if source.issue:
                published += f"({source.issue})"
        if source.pages:
            published += f":{source.pages}"
        if published:
            parts.append(escape(published + "."))
    elif source.year:
        parts.append(escape(f"Published {source.year}."))
    if source.doi:
        parts.append(escape(f"doi:{source.doi}"))
    elif source.link_url:
        parts.append(escape(source.link_url))
    return mark_safe(" ".join(parts))
