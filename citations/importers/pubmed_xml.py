"""
PubMed E-utilities XML (efetch), read by defusedxml.

This is what a PMID lookup (`citations.lookups`) gets back from NCBI, not something an
editor pastes. It comes over the network, so it is parsed with defusedxml, which refuses
entity-expansion and external-entity tricks that the standard library would follow.
"""

from datetime import date
from html import escape
from xml.etree.ElementTree import tostring

from defusedxml import ElementTree

from citations.importers.records import ImportFailed, checked, date_of, month_of, record


def _text(element, path):
    found = element.find(path)
    return "".join(found.itertext()).strip() if found is not None else ""


def _markup(element):
    """An element's text with its inline tags (<i>, <sup>, <sub> and the rest) written out,
    for `records.title_markup` to keep what a reference may show."""
    if element is None:
        return ""
    parts = [escape(element.text or "", quote=False)]
    for child in element:
        tag = child.tag.rpartition("}")[2]  # MathML's {namespace}mi → mi
        parts.append(f"<{tag}>{_markup(child)}</{tag}>{escape(child.tail or '', quote=False)}")
    return "".join(parts)


def _date(element):
    """(year, month, day) of a PubDate or ArticleDate ("2023", "May" or "05", "17"), or of
    its MedlineDate ("1998 Dec-1999 Jan")."""
    if element is None:
        return None, None, None
    year = _text(element, "Year")
    if not year:
        return date_of(_text(element, "MedlineDate"))
    month = month_of(_text(element, "Month"))
    day = _text(element, "Day")
    return checked(int(year), month, int(day) if month and day.isdigit() else None)


def _online(info):
    year, month, day = _date(info.find("ArticleDate[@DateType='Electronic']"))
    return date(year, month, day) if day else None


def read_pubmed_xml(xml):
    try:
        root = ElementTree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    except ElementTree.ParseError as error:
        raise ImportFailed(f"PubMed's answer could not be read: {error}") from error
    readers = {"PubmedArticle": _article_record, "PubmedBookArticle": _book_record}
    articles = [root] if root.tag in readers else [e for e in root if e.tag in readers]
    return [readers[article.tag](article) for article in articles]


def _names(author_list):
    names = []
    for person in author_list.findall("Author") if author_list is not None else []:
        if person.find("CollectiveName") is not None:
            names.append(_text(person, "CollectiveName"))
        else:
            names.append(f"{_text(person, 'LastName')} {_text(person, 'Initials')}".strip())
    return "; ".join(name for name in names if name)


def _kept(article):
    return {"format": "pubmed-xml", "record": tostring(article, encoding="unicode")}


def _article_record(article):
    citation = article.find("MedlineCitation")
    info = citation.find("Article")
    types = [_text(t, ".") for t in info.findall("PublicationTypeList/PublicationType")]
    doi = next(
        (_text(e, ".") for e in info.findall("ELocationID") if e.get("EIdType") == "doi"),
        "",
    ) or next(
        (_text(e, ".") for e in article.findall("PubmedData/ArticleIdList/ArticleId")
         if e.get("IdType") == "doi"), "",
    )  # fmt: skip
    retracted_in = [
        _text(c, "PMID")
        for c in citation.findall("CommentsCorrectionsList/CommentsCorrections")
        if c.get("RefType") == "RetractionIn"
    ]
    year, month, day = _date(info.find("Journal/JournalIssue/PubDate"))
    return record(
        authors=_names(info.find("AuthorList")),
        title=_markup(info.find("ArticleTitle")),
        container_title=_text(info, "Journal/Title"),
        journal_abbreviation=_text(citation, "MedlineJournalInfo/MedlineTA")
        or _text(info, "Journal/ISOAbbreviation"),
        year=year,
        month=month,
        day=day,
        published_online=_online(info),
        volume=_text(info, "Journal/JournalIssue/Volume"),
        issue=_text(info, "Journal/JournalIssue/Issue"),
        pages=_text(info, "Pagination/MedlinePgn"),
        doi=doi,
        pmid=_text(citation, "PMID"),
        publication_types=types,
        retraction_notice_url=f"https://pubmed.ncbi.nlm.nih.gov/{retracted_in[0]}/"
        if retracted_in
        else "",
        imported_record=_kept(article),
    )


def _book_record(article):
    """A PubMed Bookshelf record (GeneReviews, StatPearls): a chapter of a book, or a whole
    book, with its editors, publisher and city."""
    document = article.find("BookDocument")
    book = document.find("Book")
    chapter = document.find("ArticleTitle")
    authors = [a for a in document.findall("AuthorList") if a.get("Type", "authors") == "authors"]
    editors = [a for a in book.findall("AuthorList") if a.get("Type") == "editors"]
    year, month, day = _date(book.find("PubDate"))
    types = [_text(t, ".") for t in document.findall("PublicationType")]
    return record(
        kind="chapter" if chapter is not None else "book",
        authors=_names(authors[0] if authors else None),
        title=_markup(chapter if chapter is not None else book.find("BookTitle")),
        container_title=_markup(book.find("BookTitle")) if chapter is not None else "",
        editors=_names(editors[0] if editors else None),
        edition=_text(book, "Edition"),
        publisher=_text(book, "Publisher/PublisherName"),
        publisher_place=_text(book, "Publisher/PublisherLocation"),
        year=year,
        month=month,
        day=day,
        pmid=_text(document, "PMID"),
        publication_types=types,
        imported_record=_kept(article),
    )
