"""The public forms: both sent by GET, so a result has a URL that can be shared."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from licensing.models.activities import Activity


class VerifyForm(forms.Form):
    number = forms.CharField(
        label=_("Licence number"),
        max_length=40,
        help_text=_("As printed on the licence, for example TL-2026-000123-K."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class SearchInput(forms.TextInput):
    input_type = "search"


class RegisterSearchForm(forms.Form):
    name = forms.CharField(
        label=_("Trade name"), max_length=200, required=False, widget=SearchInput
    )
    municipality = forms.CharField(
        label=_("Municipality"), max_length=100, required=False, widget=SearchInput
    )
    activity = forms.ChoiceField(
        label=_("Activity"), required=False, choices=[("", _("Any activity")), *Activity.choices]
    )
    after = forms.CharField(max_length=32, required=False, widget=forms.HiddenInput)
    before = forms.CharField(max_length=32, required=False, widget=forms.HiddenInput)


class VerifyDocumentForm(forms.Form):
    """A printed document's code, or the SHA-256 of a PDF file received by e-mail."""

    code = forms.CharField(
        label=_("Document code"),
        max_length=20,
        required=False,
        help_text=_("As printed on the document, for example 7K2M9QXH4T."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    sha256 = forms.RegexField(
        label=_("Or the SHA-256 of the PDF file"),
        regex=r"^\s*[0-9a-fA-F]{64}\s*$",
        required=False,
        error_messages={"invalid": _("A SHA-256 is 64 hexadecimal characters.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("code") and not data.get("sha256"):
            raise forms.ValidationError(_("Enter the document code or its SHA-256."))
        return data


class VerifyUploadForm(forms.Form):
    """A PDF file received from someone: is it the authority's signed document, unchanged?
    Read in memory and checked; nothing of it is kept."""

    pdf = forms.FileField(
        label=_("PDF file"),
        help_text=_(
            "The PDF file of a licence, letter, certificate or report, as you received it."
        ),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={
            "required": _("Choose the PDF file to check."),
            "empty": _("The file is empty."),
        },
    )
