import re

from django import forms

from citations.characters import normalize_newlines, validate_printable
from reports.models import TEXT_LENGTH, Report

# The honeypot: a field a person never sees (it is hidden by the stylesheet and from
# assistive technology) and a bot that fills every field fills.
HONEYPOT = "website"
# Text-direction overrides, embeddings and isolates: invisible, they can make a report read
# backwards in the admin. A patient types none of them.
DIRECTION_CONTROL = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


class ReportForm(forms.ModelForm):
    """A patient's report. Plain text only: it is shown escaped, never as HTML or Markdown."""

    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    # Counted after line endings are normalised: a browser sends each line break as two.
    text = forms.CharField(
        label="Tell us more",
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": TEXT_LENGTH}),
        help_text=f"What is wrong, and where on the page. Up to {TEXT_LENGTH:,} characters. "
        "Please do not include details of your own health.",
        error_messages={"required": "Tell us what is wrong, in a few words."},
    )

    class Meta:
        model = Report
        fields = ["kind", "text", "email"]
        labels = {
            "kind": "What is wrong?",
            "email": "Your email (optional)",
        }
        help_texts = {
            "email": "Only if you would like a reply. We use it for nothing else.",
        }
        widgets = {
            "kind": forms.RadioSelect,
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        error_messages = {
            "kind": {"required": "Choose what is wrong with the answer."},
            "email": {
                "invalid": "This email address looks incomplete: check it, or leave it empty."
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Report.Kind.choices  # no empty "---------" choice

    def clean_text(self):
        text = normalize_newlines(self.cleaned_data["text"]).strip()
        validate_printable(text)
        control = DIRECTION_CONTROL.search(text)
        if control:
            raise forms.ValidationError(
                f"This text contains an invisible character that changes the direction of "
                f"the text (U+{ord(control.group()):04X}). Remove it: delete and retype the "
                "text around where you pasted."
            )
        if not text:
            raise forms.ValidationError("Tell us what is wrong, in a few words.")
        if len(text) > TEXT_LENGTH:
            raise forms.ValidationError(
                f"Please keep it to {TEXT_LENGTH:,} characters: this is {len(text):,}. "
                "The most important part is enough; we will write back if you leave an email."
            )
        return text

    @property
    def from_a_bot(self):
        return bool(self.cleaned_data.get(HONEYPOT))
