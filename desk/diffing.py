"""
Readable differences between two revisions of an answer, for editors and reviewers:
field by field, word by word in the Markdown fields, and citations added, removed,
renumbered or pointed at another source, and the writers. All output is escaped HTML.
"""

import difflib
import html
import re

from django.utils.html import escape, format_html, format_html_join, strip_tags
from django.utils.safestring import mark_safe

from answers.models import ContributorProfile, Disclaimer
from citations.models import Source

# difflib is quadratic at worst: past this many token pairs, compare line by line instead.
WORD_DIFF_LIMIT = 4_000_000

TEXT_FIELDS = [
    ("short_answer", "Short answer"),
    ("research", "What the research says"),
    ("doctor_questions", "What to ask your doctor"),
]


def _tokens(text, by_line):
    return (text or "").splitlines(keepends=True) if by_line else re.findall(r"\s+|\S+", text or "")


def text_diff(old, new):
    """`new` against `old` as HTML, deletions in <del>, insertions in <ins>."""
    by_line = len(_tokens(old, False)) * len(_tokens(new, False)) > WORD_DIFF_LIMIT
    a, b = _tokens(old, by_line), _tokens(new, by_line)
    parts = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return mark_safe("".join(parts))


def citation_changes(old_rows, new_rows):
    """Plain-language lines describing how the citations changed."""
    old = {row["number"]: row for row in old_rows}
    new = {row["number"]: row for row in new_rows}
    ids = {row["source"] for row in [*old_rows, *new_rows]}
    labels = {source.pk: str(source) for source in Source.objects.filter(pk__in=ids)}

    def label(row):
        return labels.get(row["source"], "a source that was deleted")

    old_numbers_by_source = {row["source"]: number for number, row in old.items()}
    changes = []
    for number in sorted(set(old) | set(new)):
        before, after = old.get(number), new.get(number)
        if before and after:
            if before["source"] != after["source"]:
                changes.append(
                    f"Citation {number} now points to “{label(after)}” "
                    f"instead of “{label(before)}”."
                )
            elif before["locator"] != after["locator"]:
                changes.append(
                    f"Citation {number}: locator “{before['locator']}” → “{after['locator']}”."
                )
        elif after:
            was = old_numbers_by_source.get(after["source"])
            if was is not None and was not in new:
                changes.append(f"Citation {was} renumbered to {number} (“{label(after)}”).")
            else:
                changes.append(f"Citation {number} added: “{label(after)}”.")
        elif before and not any(row["source"] == before["source"] for row in new.values()):
            changes.append(f"Citation {number} removed: “{label(before)}”.")
    return changes


def revision_diff(old, new):
    """What changed from revision `old` to revision `new` (historical answer records)."""
    fields = []
    for name, label in TEXT_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            fields.append({"label": label, "html": text_diff(before, after)})
    if old.disclaimer_id != new.disclaimer_id:
        names = dict(
            Disclaimer.objects.filter(pk__in=[old.disclaimer_id, new.disclaimer_id]).values_list(
                "pk", "title"
            )
        )
        default = "the topic's or site default"
        fields.append(
            {
                "label": "Disclaimer",
                "html": format_html(
                    "<del>{}</del> <ins>{}</ins>",
                    names.get(old.disclaimer_id, default),
                    names.get(new.disclaimer_id, default),
                ),
            }
        )
    writers = writer_change(old.authors_snapshot, new.authors_snapshot)
    if writers:
        fields.append({"label": "Written by", "html": writers})
    if old.status != new.status:
        fields.append(
            {
                "label": "Status",
                "html": format_html(
                    "<del>{}</del> <ins>{}</ins>",
                    old.get_status_display(),
                    new.get_status_display(),
                ),
            }
        )
    return {
        "fields": fields,
        "citations": citation_changes(old.citations_snapshot, new.citations_snapshot),
    }


FROZEN_TEXTS = [
    ("question_text", "Question"),
    ("topic_name", "Topic"),
    *TEXT_FIELDS,
]


def content_diff(old, new):
    """What patients would read differently: frozen content `old` (a published version's)
    against `new` (`Answer.frozen_content()`), in the shape of `revision_diff`."""
    fields = []
    for name, label in FROZEN_TEXTS:
        if old[name] != new[name]:
            fields.append({"label": label, "html": text_diff(old[name], new[name])})
    before, after = strip_tags(old["disclaimer_html"]), strip_tags(new["disclaimer_html"])
    if before != after:
        fields.append({"label": "Disclaimer", "html": text_diff(before, after)})

    def writers(content):
        return (
            ", ".join(
                f"{a['display_name']}, {a['credentials']}"
                if a.get("credentials")
                else a["display_name"]
                for a in content["authors"]
            )
            or "nobody"
        )

    if writers(old) != writers(new):
        fields.append({"label": "Written by", "html": text_diff(writers(old), writers(new))})
    # As patients read them: "&" where the HTML says "&amp;" (text_diff escapes again).
    old_refs = {r["number"]: html.unescape(strip_tags(r["html"])) for r in old["references"]}
    new_refs = {r["number"]: html.unescape(strip_tags(r["html"])) for r in new["references"]}
    references = [
        format_html(
            "{} {}",
            f"[{number}]",
            text_diff(old_refs.get(number, ""), new_refs.get(number, "")),
        )
        for number in sorted(set(old_refs) | set(new_refs))
        if old_refs.get(number) != new_refs.get(number)
    ]
    if references:
        fields.append(
            {
                "label": "References",
                "html": format_html_join(mark_safe("<br>"), "{}", ((r,) for r in references)),
            }
        )
    return {"fields": fields, "citations": []}


def writer_change(old_ids, new_ids):
    """The writers before and after as HTML, or None when they are the same or either
    revision predates the keeping of writers."""
    if old_ids is None or new_ids is None or old_ids == new_ids:
        return None
    names = dict(
        ContributorProfile.objects.filter(pk__in=[*old_ids, *new_ids]).values_list(
            "pk", "display_name"
        )
    )

    def listed(ids):
        return ", ".join(names.get(pk, "a deleted profile") for pk in ids) or "nobody"

    return format_html("<del>{}</del> <ins>{}</ins>", listed(old_ids), listed(new_ids))
