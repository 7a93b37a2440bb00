"""
Characters that cannot reach a page or a feed, found and named for the person who typed them.

XML 1.0 (the Atom feed) has no place for control characters, U+FFFE, U+FFFF or lone
surrogates; PostgreSQL stores no NUL; a browser shows the rest as nothing or as a box.
They arrive by accident (a paste from a PDF or a word processor, a stray key), so a form
names the character and its place and asks for it to be removed. Data files are not typed
by a person: the importers drop such characters instead (`strip_unprintable`).

Pure functions over text. Line endings are normalised first (`normalize_newlines`), so a
carriage return still left over is unprintable too.
"""

import re

from django.core.exceptions import ValidationError

# C0 controls except tab and line feed; DEL; C1 controls; U+FFFE and U+FFFF; lone surrogates.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def normalize_newlines(text):
    """`text` with CRLF and lone CR as LF: a browser sends CRLF for what the editor typed as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def unprintable_character(text):
    """What is wrong with `text`, said for a person, or None if nothing is: e.g. "contains a
    character that cannot be shown on a page (U+0001) at line 3, character 14. …". Callers
    start the sentence ("This text …", "The comment …")."""
    match = UNPRINTABLE.search(text or "")
    if match is None:
        return None
    index = match.start()
    column = index - text.rfind("\n", 0, index)
    where = f"character {column:,}"
    if "\n" in text:
        where = f"line {text.count(chr(10), 0, index) + 1:,}, {where}"
    return (
        f"contains a character that cannot be shown on a page (U+{ord(match.group()):04X}) "
        f"at {where}. Remove it: it may be invisible, so delete and retype the text around it."
    )


def validate_printable(text):
    """Validator: refuse, with a message that says where, text holding an unprintable
    character. Line endings as a browser sends them are fine."""
    if not isinstance(text, str):
        return
    problem = unprintable_character(normalize_newlines(text))
    if problem:
        raise ValidationError(f"This text {problem}", code="unprintable")


def strip_unprintable(text):
    """`text` without unprintable characters (line endings normalised, not dropped)."""
    return UNPRINTABLE.sub("", normalize_newlines(text or ""))
