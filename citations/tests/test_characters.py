import pytest
from django.core.exceptions import ValidationError

from citations.characters import (
    normalize_newlines,
    strip_unprintable,
    unprintable_character,
    validate_printable,
)


@pytest.mark.parametrize(
    "character",
    ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\r", "\x1f", "\x7f", "\x80", "\x9f", "\ufffe",
     "\uffff", "\ud800", "\udfff"],
)  # fmt: skip
def test_unprintable_characters_are_named_by_code_point(character):
    problem = unprintable_character(f"Fever{character}")
    assert f"(U+{ord(character):04X}) at character 6." in problem


@pytest.mark.parametrize("text", ["Tab\tand\nnewline", "Ünïcödé — “quotes” ≥ 10⁹ µg", "😀 \u00a0"])
def test_printable_text_passes(text):
    assert unprintable_character(text) is None
    validate_printable(text)


def test_the_place_is_given_as_line_and_character():
    text = "First line\nSecond\n\tThird \x01line"
    assert unprintable_character(text).startswith(
        "contains a character that cannot be shown on a page (U+0001) at line 3, character 8."
    )


def test_validator_accepts_browser_line_endings_but_names_a_stray_carriage_return():
    validate_printable("One\r\nTwo\rThree")
    with pytest.raises(ValidationError) as refused:
        validate_printable("One\r\nTwo \x00 three")
    assert refused.value.messages == [
        "This text contains a character that cannot be shown on a page (U+0000) at line 2, "
        "character 5. Remove it: it may be invisible, so delete and retype the text around it."
    ]
    assert refused.value.error_list[0].code == "unprintable"


def test_newlines_normalised_and_unprintables_dropped():
    assert normalize_newlines("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert strip_unprintable("fe\x00ver\r\ncou\x85gh\ufffe\rnow") == "fever\ncough\nnow"
