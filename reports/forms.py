import re

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from citations.characters import UNPRINTABLE, normalize_newlines
from reports.models import TEXT_LENGTH, Report

# The honeypot: a field a person never sees (it is hidden by the stylesheet and from
# assistive technology) and a bot that fills every field fills.
HONEYPOT = "website"
# Text-direction overrides, embeddings and isolates: invisible, they can make a report read
# backwards in the admin. A patient types none of them.
DIRECTION_CONTROL = re.compile(r"[\u202a-\u202e\u2066-\u2069]")

# The kinds of problem as patients read them, in their language (the admin lists the
# model's own labels). One for each of Report.Kind (patient_site/tests/test_languages.py).
KIND_LABELS = {
    Report.Kind.FACTUAL_ERROR: pgettext_lazy("report kind", "A factual error"),
    Report.Kind.OUT_OF_DATE: pgettext_lazy("report kind", "Out of date"),
    Report.Kind.BROKEN_LINK: pgettext_lazy("report kind", "A broken link"),
    Report.Kind.HARD_TO_UNDERSTAND: pgettext_lazy("report kind", "Hard to understand"),
    Report.Kind.OTHER: pgettext_lazy("report kind", "Something else"),
}


def count(number):
    """A count as the page's language groups its digits: 2,000 in English."""
    return number_format(number, force_grouping=True)


class ReportForm(forms.ModelForm):
    """A patient's report. Plain text only: it is shown escaped, never as HTML or Markdown."""

    website = forms.CharField(
        required=False,
        label=gettext_lazy("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    # Counted after line endings are normalised: a browser sends each line break as two.
    text = forms.CharField(
        label=gettext_lazy("Tell us more"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": TEXT_LENGTH}),
        error_messages={"required": gettext_lazy("Tell us what is wrong, in a few words.")},
    )

    class Meta:
        model = Report
        fields = ["kind", "text", "email"]
        labels = {
            "kind": gettext_lazy("What is wrong?"),
            "email": gettext_lazy("Your email (optional)"),
        }
        help_texts = {
            "email": gettext_lazy("Only if you would like a reply. We use it for nothing else."),
        }
        widgets = {
            "kind": forms.RadioSelect,
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        error_messages = {
            "kind": {"required": gettext_lazy("Choose what is wrong with the answer.")},
            "email": {
                "invalid": gettext_lazy(
                    "This email address looks incomplete: check it, or leave it empty."
                )
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No empty "---------" choice.
        self.fields["kind"].choices = [(kind, KIND_LABELS[kind]) for kind in Report.Kind]
        self.fields["text"].help_text = gettext(
            "What is wrong, and where on the page. Up to %(limit)s characters. "
            "Please do not include details of your own health."
        ) % {"limit": count(TEXT_LENGTH)}

    def clean_text(self):
        text = normalize_newlines(self.cleaned_data["text"]).strip()
        unprintable = UNPRINTABLE.search(text)
        if unprintable:
            raise forms.ValidationError(unprintable_message(text, unprintable))
        control = DIRECTION_CONTROL.search(text)
        if control:
            raise forms.ValidationError(
                gettext(
                    "This text contains an invisible character that changes the direction "
                    "of the text (U+%(code)s). Remove it: delete and retype the text around "
                    "where you pasted."
                )
                % {"code": f"{ord(control.group()):04X}"}
            )
        if not text:
            raise forms.ValidationError(gettext("Tell us what is wrong, in a few words."))
        if len(text) > TEXT_LENGTH:
            raise forms.ValidationError(
                gettext(
                    "Please keep it to %(limit)s characters: this is %(length)s. The most "
                    "important part is enough; we will write back if you leave an email."
                )
                % {"limit": count(TEXT_LENGTH), "length": count(len(text))}
            )
        return text

    @property
    def from_a_bot(self):
        return bool(self.cleaned_data.get(HONEYPOT))


def unprintable_message(text, match):
    """Where in `text` the unprintable character `match` is, said for the patient (as
    citations.characters says it for staff, in the page's language)."""
    index = match.start()
    values = {
        "code": f"{ord(match.group()):04X}",
        "line": count(text.count("\n", 0, index) + 1),
        "character": count(index - text.rfind("\n", 0, index)),
    }
    if "\n" in text:
        message = gettext(
            "This text contains a character that cannot be shown on a page (U+%(code)s) at "
            "line %(line)s, character %(character)s. Remove it: it may be invisible, so delete "
            "and retype the text around it."
        )
    else:
        message = gettext(
            "This text contains a character that cannot be shown on a page (U+%(code)s) at "
            "character %(character)s. Remove it: it may be invisible, so delete and retype "
            "the text around it."
        )
    return message % values
