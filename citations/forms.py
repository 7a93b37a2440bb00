from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from citations.characters import normalize_newlines, validate_printable

IMPORT_MAX_CHARS = 300_000


def hand_over_null_check(form):
    """Leave NUL to `clean_text`: Django's own check says only "Null characters are not
    allowed.", ours also says where the character is."""
    for field in form.fields.values():
        field.validators = [
            validator
            for validator in field.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]


def clean_text(form):
    """Every text `form` cleaned, with line endings normalised (a browser sends CRLF: a save
    must not look like an edit), or an error on its field if it holds a character no page
    or feed can carry."""
    for name, value in list(form.cleaned_data.items()):
        if not isinstance(value, str):
            continue
        value = normalize_newlines(value)
        try:
            validate_printable(value)
        except ValidationError as error:
            form.add_error(name if name in form.fields else None, error)
        else:
            form.cleaned_data[name] = value


class CleanTextMixin:
    """A form whose texts pass `clean_text`: every admin form in the project has it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hand_over_null_check(self)

    def clean(self):
        super().clean()
        clean_text(self)
        return self.cleaned_data


class ImportForm(CleanTextMixin, forms.Form):
    references = forms.CharField(
        label="DOIs, PubMed IDs or an export",
        max_length=IMPORT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100, "class": "vLargeTextField"}),
        help_text="One DOI or PubMed ID per line (e.g. 10.1016/S0140-6736(23)01126-1 or "
        "37748491), or paste an export from PubMed, Zotero, EndNote or a journal: RIS, "
        "BibTeX, PubMed MEDLINE (.nbib) or CSL-JSON. You will see what was found before "
        "anything is saved.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A browser cuts a paste at maxlength without a word; the admin's script
        # (static/js/form-limits.js) refuses it with a message instead.
        attrs = self.fields["references"].widget.attrs
        attrs["data-max-chars"] = attrs.pop("maxlength")
