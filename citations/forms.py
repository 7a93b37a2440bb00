from django import forms

IMPORT_MAX_CHARS = 300_000


class ImportForm(forms.Form):
    references = forms.CharField(
        label="DOIs, PubMed IDs or an export",
        max_length=IMPORT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100, "class": "vLargeTextField"}),
        help_text="One DOI or PubMed ID per line (e.g. 10.1016/S0140-6736(23)01126-1 or "
        "37748491), or paste an export from PubMed, Zotero, EndNote or a journal: RIS, "
        "BibTeX, PubMed MEDLINE (.nbib) or CSL-JSON. You will see what was found before "
        "anything is saved.",
    )
