"""
Search over published answers: PostgreSQL full-text search with ranking, or a plain word
match on SQLite. `Answer.objects.search(text, language)` is the entry point; `refresh_vector`
fills a published version's stored vector when it is approved.

Each language is searched with its own PostgreSQL text search configuration
(`languages.search_config`: Spanish stems for Spanish). A version's vector is made with
its own language's configuration, and a search in a language asks its query with the same
one: "ensayo" then finds "ensayos" in a Spanish answer, which English stems would not.
"""

import logging
import re
from contextlib import contextmanager

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    models,
    transaction,
)
from django.db.models import Case, F, Func, Q, Value, When
from django.db.models.functions import Concat, Substr

from answers import languages

# Snippet highlight markers: control characters no editor text contains, so the snippet
# can be escaped as a whole and only these turned into <mark> (see patient_site/views.py).
SNIPPET_START, SNIPPET_STOP = "\x02", "\x03"
# The RUM index of migrations 0021 and 0029 over each version's vector and language, where
# PostgreSQL has the rum extension.
RUM_INDEX = "version_search_rum"
_has_rum_index = {}  # {connection alias: bool}, asked once per process

log = logging.getLogger(__name__)


class RumDistance(Func):
    """`vector <=> query`: the rum extension's distance, the inverse of its rank (a word's
    weight and frequency, as ts_rank counts them). Ordered by it, PostgreSQL reads the
    matches from the RUM index best first and stops at the LIMIT."""

    arg_joiner = " <=> "
    template = "(%(expressions)s)"
    output_field = models.FloatField()


# A word with hyphens ("benefit-risk", "CAR-T"), as a patient types it.
HYPHENATED = re.compile(r"(?<!\w)\w+(?:-\w+)+")
# Outside quotes, what websearch_to_tsquery reads between words: spaces, and the operators
# of to_tsquery's own syntax, which it skips.
BETWEEN_WORDS = re.compile(r"[\s!&|()<]+")
LETTER_OR_DIGIT = re.compile(r"[^\W_]")
LEADING_MARKS = re.compile(r"[\W_]*")


def websearch_text(text):
    """`text` as websearch_to_tsquery is given it: the patient's words, "quoted phrases",
    -exclusions and "or"s, without what carries no word.

    PostgreSQL reads each minus sign as one NOT and keeps the NOTs waiting for their word on
    a stack of 32 places: 33 minus signs in a row, alone or before a word, with or without
    spaces between them, and it refuses the whole search ("tsquery stack too small"); an
    even number before a word cancel out. A patient means one NOT by any number. So here:

    - minus signs and other marks before a word or a quoted phrase are one NOT if a minus
      sign is among them ("--smoking", "(-smoking" leave smoking out); a word keeps its
      inner hyphens ("CAR-T");
    - a mark, or a run of them, with no word of its own ("-", "!!!", "((("), and a phrase
      with no word in it (`""`), mean nothing and go: a dash between spaces is punctuation;
    - "or" joins the words on either side of it: repeated, one; with no word on a side, none;
    - a phrase whose closing quote is missing runs to the end, as PostgreSQL reads it.

    What is left has at most one NOT before each word or phrase, so PostgreSQL's stack holds
    three operators at most; given again, it comes back unchanged."""
    terms = []
    negate_phrase = False
    parts = text.split('"')  # a quote left open: the last part is a phrase to the end
    for index, part in enumerate(parts):
        if index % 2:
            if LETTER_OR_DIGIT.search(part):
                terms.append(f'{"-" if negate_phrase else ""}"{" ".join(part.split())}"')
            continue
        for token in BETWEEN_WORDS.split(part):
            marks = LEADING_MARKS.match(token).group()
            if word := token[len(marks) :]:
                terms.append(f"{'-' if '-' in marks else ''}{word}")
        # Marks written against the next phrase's opening quote (`-"hip fracture"`): its NOT.
        negate_phrase = "-" in marks and not word
    words = []
    for term in terms:
        if term.lower() == "or" and (not words or words[-1].lower() == "or"):
            continue
        words.append(term)
    if words and words[-1].lower() == "or":
        words.pop()
    return " ".join(words)


class WebSearchQuery(SearchQuery):
    """`websearch_to_tsquery(config, text)` in `language`'s configuration (None: the
    default language's), with each hyphenated word asked as its compound
    lexeme alone. PostgreSQL makes "benefit-risk" the phrase 'benefit-risk' <-> 'benefit'
    <-> 'risk', and a phrase makes the RUM index check the positions of every match
    (33 ms for "benefit-risk amlodipine" at 100,000 answers; 2.6 ms for 'benefit-risk' &
    'amlodipin'). The compound is in a text's vector exactly where the phrase is, so the
    matches are the same.

    Only a word PostgreSQL's parser reads as one hyphenated word is rewritten ("10-20" is
    two numbers, and stays as it is), and not one also written in quotes: a quoted
    phrase starting with it holds the same three lexemes, which must stay a phrase.

    `text` is read as `websearch_text` leaves it; `.text` is what is left (empty: nothing
    to match)."""

    def __init__(self, text, language=None):
        text = websearch_text(text)
        self.config_name = languages.search_config(language or languages.default())
        super().__init__(text, search_type="websearch", config=self.config_name)
        self.text = text
        parts = text.split('"')
        quoted = " ".join(parts[1::2]).lower()
        words = HYPHENATED.findall(" ".join(parts[::2]))
        self.hyphenated = [w for w in dict.fromkeys(words) if w.lower() not in quoted][:10]

    def as_sql(self, compiler, connection, function=None, template=None):
        sql, params = super().as_sql(compiler, connection, function, template)
        # The name is one of languages.SEARCH_CONFIGS' own, or "simple": no patient's text.
        config = f"'{self.config_name}'::regconfig"
        for word in self.hyphenated:
            compound = (
                f"(SELECT quote_literal(lexemes[1])::tsquery FROM ts_debug({config}, %s)"
                " WHERE alias IN ('asciihword', 'hword', 'numhword') AND token = %s"
                " AND cardinality(lexemes) = 1)"
            )
            phrase = f"phraseto_tsquery({config}, %s)"
            sql = f"ts_rewrite({sql}, {phrase}, COALESCE({compound}, {phrase}))"
            params = [*params, word, word, word, word]
        return sql, params


class SearchRefused(Exception):
    """PostgreSQL refused a search for its text (see `refusable`)."""


@contextmanager
def refusable(text, using):
    """A search of `text` on the database `using`, in a savepoint: a statement PostgreSQL
    refuses then leaves any transaction around it usable, and its refusal is logged and
    raised as SearchRefused, for the page to say so instead of failing. `websearch_text`
    leaves no text PostgreSQL is known to refuse; this is for the ones not known yet.

    A database that does not answer at all (a lost connection, a restart, a timeout) is no
    refusal of the text: its error goes on to its own page (delivery/middleware.py
    `DatabaseUnavailable`)."""
    try:
        with transaction.atomic(using=using):
            yield
    except DatabaseError as error:
        if not _refused_the_text(error):
            raise
        log.exception("PostgreSQL refused the search %r", text)
        raise SearchRefused(text) from error


def _refused_the_text(error):
    # Django's OperationalError is also each of PostgreSQL's program limits (SQLSTATE class
    # 54: "tsquery is too large", "stack depth limit exceeded"), which a text can reach.
    if not isinstance(error, OperationalError | InterfaceError):
        return True
    return (getattr(error.__cause__, "sqlstate", None) or "").startswith("54")


def ranks_by_index(alias):
    """Whether the database behind `alias` has the RUM index (a replica has what its
    primary has)."""
    if alias not in _has_rum_index:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [RUM_INDEX])
            _has_rum_index[alias] = cursor.fetchone() is not None
    return _has_rum_index[alias]


def matching(published, listing, text, limit=20, language=None):
    """The answers of `listing` matching `text`, best first, each with a `snippet` source.
    `published` is the same answers without the listing's column restrictions; both hold
    the answers in `language` (None: the default language) only.

    PostgreSQL: full-text search over the stored, weighted vector (question A, short
    answer B, research C) with `websearch` syntax ("quoted phrases", -without, or), the
    query and the snippet in `language`'s text search configuration, as its answers'
    vectors are. SQLite: every word must appear somewhere; newest first."""
    text = " ".join(text.split())[:200]
    language = language or languages.default()
    if not text:
        return listing.none()
    if connection.vendor == "postgresql":
        query = WebSearchQuery(text, language)
        if not query.text:  # only marks, nothing PostgreSQL could match
            return listing.none()
        vector = F("live_version__search_vector")
        newest = F("live_version__approved_at").desc()
        if ranks_by_index(published.db):
            # By the distance alone: a second sort key would make PostgreSQL sort every
            # match instead of reading the index in order. Equal ranks are then taken in
            # the index's order, and the chosen ones ordered newest first below.
            best_first = RumDistance(vector, query).asc()
            order = [best_first]
        else:  # ts_rank reads every match's vector: 0.4 s for a common word at 100,000
            best_first = SearchRank(vector, query).desc()
            order = [best_first, newest]
        # Rank first, then make snippets for the best matches only: ts_headline is
        # costly, and PostgreSQL would compute it for every match before sorting. The
        # matches are asked for by the version's language too (its question's, frozen at
        # approval): the RUM index holds it, and reads only this language's matches
        # (migration 0029).
        best = (
            published.filter(live_version__search_vector=query, live_version__language=language)
            .order_by(*order)
            .values("pk")[:limit]
        )
        return (
            listing.filter(pk__in=best)
            .annotate(
                snippet=SearchHeadline(
                    Concat(
                        "live_version__short_answer",
                        Value(" "),
                        "live_version__research_plain",
                        output_field=models.TextField(),
                    ),
                    query,
                    config=query.config_name,
                    start_sel=SNIPPET_START,
                    stop_sel=SNIPPET_STOP,
                    max_words=40,
                    min_words=20,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .order_by(best_first, newest)
        )
    matches = listing
    for word in text.split()[:10]:
        matches = matches.filter(
            Q(live_version__question_text__icontains=word)
            | Q(live_version__short_answer__icontains=word)
            | Q(live_version__research_plain__icontains=word)
        )
    return matches.annotate(snippet=Substr("live_version__short_answer", 1, 300)).order_by(
        "-live_version__approved_at"
    )[:limit]


# The admin's search over drafts (migration 0023): each answer's current text as a stored
# vector that PostgreSQL generates from the row. Django does not know the column. It is
# made with English stems for every answer, a translation's too: a generated column reads
# only its own row, and an answer's language is its question's. A Spanish word still
# matches as it is written (English stems change few Spanish endings), and the admin also
# matches the question as typed.
DRAFT_SEARCH_COLUMN = "draft_search"
DRAFT_SEARCH_CONFIG = "english"
# A search of the admin's answer list matching up to ADMIN_SEARCH_MATCHES answers lists
# them all, counted; one matching more lists the first ADMIN_SEARCH_LISTED in the list's
# order and says there are more. Counting the 29,000 matches of a common word read every
# one of them (0.46 s at 100,000 answers).
# ADMIN_SEARCH_LISTED stays above the list's page and its "Show all" (200), or the
# admin would read every match for one page.
ADMIN_SEARCH_MATCHES = 5000
ADMIN_SEARCH_LISTED = 1000


class DraftMatches(Func):
    """`answer.draft_search @@ websearch_to_tsquery(text)`, as a condition for `filter()`,
    on the query's own answers table whatever alias it is given (in a subquery, U0), with
    `text` as `websearch_text` leaves it."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, text):
        super().__init__(Value(websearch_text(text)))
        self.alias = None

    def resolve_expression(self, query=None, *args, **kwargs):
        resolved = super().resolve_expression(query, *args, **kwargs)
        resolved.alias = query.get_initial_alias()
        return resolved

    def relabeled_clone(self, change_map):
        clone = super().relabeled_clone(change_map)
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        text, params = compiler.compile(self.source_expressions[0])
        column = f"{compiler.quote_name_unless_alias(self.alias)}.{DRAFT_SEARCH_COLUMN}"
        return (
            f"{column} @@ websearch_to_tsquery('{DRAFT_SEARCH_CONFIG}'::regconfig, {text})",
            params,
        )


def admin_matches(answers, text):
    """The answers of `answers` whose current text (full text, websearch syntax) or
    question (as typed, any part of it) matches `text`, and whether more than
    ADMIN_SEARCH_MATCHES do. PostgreSQL only.

    Each half is asked for at most one id more than that (from its index when they are
    few). When both together hold no more, the answers are those ids: exact,
    counted, in any order the list asks for. When there are more, the condition itself
    is returned, and the caller lists only the first ones: with at least one answer in
    20 matching, PostgreSQL walks the list's order and tests each row against the
    stored vector, stopping at the page, instead of reading every match."""
    limit = ADMIN_SEARCH_MATCHES
    by_text, by_question = DraftMatches(text), Q(question__text__icontains=text)
    found = set()
    for condition in (by_text, by_question):
        ids = answers.filter(condition).order_by().values_list("pk", flat=True)[: limit + 1]
        found.update(ids)
        if len(found) > limit:
            return answers.filter(Q(by_text) | by_question), True
    return answers.filter(pk__in=found), False


def version_config():
    """A published version's text search configuration, from its own `language` column:
    `languages.search_config` of it, as SQL, so that one UPDATE fills the vectors of
    versions in any languages."""
    return Case(
        *(
            When(language=code, then=Value(languages.search_config(code)))
            for code in languages.codes()
        ),
        default=Value(languages.search_config("")),  # a language without its own: "simple"
        output_field=models.CharField(),
    )


def version_vector():
    """A published version's search vector, from its own columns: the question weighted A,
    the short answer B, the research C, each in its language's configuration. Approval
    and the benchmark's seeder store it so."""
    config = version_config()
    return (
        SearchVector("question_text", weight="A", config=config)
        + SearchVector("short_answer", weight="B", config=config)
        + SearchVector("research_plain", weight="C", config=config)
    )


def refresh_vector(version):
    """Store the version's search vector; PostgreSQL only."""
    if connection.vendor != "postgresql":
        return
    # The vector is derived data of a frozen version: no history to keep.
    type(version).objects.filter(pk=version.pk).update(search_vector=version_vector())
