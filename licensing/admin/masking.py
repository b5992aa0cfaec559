"""Personal data masked on the officers' pages (Art. 5; ASVS V14.2.6, V8.2.3): identity document
numbers and bank account numbers show their last four characters, criminal-record details are
hidden. "Show" goes to the reveal page (licensing/admin/personal_data.py), which writes the
VIEWED event. An editable field renders empty with the mask as its placeholder: left empty, the
stored value is kept; typed in, it replaces it (an officer's correction)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from licensing.services.personal_data import mask

HIDDEN = _("(hidden)")
# Text that is hidden whole rather than masked to its last characters.
HIDDEN_WHOLE = ("details", "review_note")


def reveal_url(obj: Any, kind: str) -> str:
    party_id = obj.pk if kind == "party" else obj.party_id
    return reverse("admin:licensing_party_reveal", args=[party_id, kind, obj.pk])


def masked_value(obj: Any, name: str) -> str:
    value = getattr(obj, name, "")
    if not value:
        return ""
    return str(HIDDEN) if name in HIDDEN_WHOLE else mask(value)


def _show_link(url: str) -> SafeString:
    return format_html('<a class="reveal-personal-data" href="{}">{}</a>', url, gettext("Show"))


def snapshot_value(name: str, value: Any) -> Any:
    """A value of a submission's snapshot as the application's page shows it."""
    if name in HIDDEN_WHOLE and value:
        return HIDDEN
    if name in ("identity_document_number", "iban", "account_number") and value:
        return mask(value)
    return value


class MaskedWidgetMixin:
    """Renders the input as usual (empty unless the officer typed something) followed by the
    Show link; the stored value is never in the page."""

    reveal: str = ""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> Any:
        html = super().render(name, value, attrs, renderer)  # type: ignore[misc]
        if not self.reveal:
            return html
        return format_html("{} {}", html, _show_link(self.reveal))


class MaskedInput(MaskedWidgetMixin, forms.TextInput):
    pass


class MaskedTextarea(MaskedWidgetMixin, forms.Textarea):
    pass


class MaskingForm(forms.ModelForm):
    """A model form whose ``masked_fields`` of a saved record render masked. Made by
    ``masking_form(base, kind=..., fields=...)`` for each admin."""

    masked_fields: tuple[str, ...] = ()
    reveal_kind: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: dict[str, Any] = {}
        if self.instance.pk is None:
            return
        url = reveal_url(self.instance, self.reveal_kind)
        for name in self.masked_fields:
            stored = getattr(self.instance, name, "")
            field = self.fields.get(name)
            if field is None or not stored:
                continue
            self._kept[name] = stored
            # Unchanged unless something is typed: the page never carries the stored value.
            self.initial[name] = ""
            field.required = False
            textarea = isinstance(field.widget, forms.Textarea)
            widget: MaskedWidgetMixin = (MaskedTextarea if textarea else MaskedInput)(
                attrs={
                    **field.widget.attrs,
                    "placeholder": masked_value(self.instance, name),
                    "autocomplete": "off",
                }
            )
            widget.reveal = url
            field.widget = widget

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or self.cleaned_data
        for name, stored in self._kept.items():
            if cleaned.get(name) in ("", None) and name not in self.errors:
                cleaned[name] = stored
        return cleaned


def masking_form(base: type[forms.ModelForm], *, kind: str, fields: tuple[str, ...]) -> Any:
    bases = (MaskingForm,) if base is forms.ModelForm else (MaskingForm, base)
    return type(
        f"Masked{base.__name__}",
        bases,
        {"masked_fields": fields, "reveal_kind": kind, "__module__": __name__},
    )


class MaskedAdminMixin:
    """For a ModelAdmin or an inline: the masked fields of ``masking_form``, and for a user who
    may only view (auditor, inspector, registrar), a read-only masked value with Show."""

    masked: tuple[str, ...] = ()
    reveal_kind: str = ""

    def _read_only(self, request: HttpRequest, obj: Any) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)  # type: ignore[attr-defined]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if not self._read_only(request, obj):
            return fieldsets
        swap = {name: f"masked_{name}" for name in self.masked}
        return [
            (title, {**options, "fields": [swap.get(f, f) for f in options["fields"]]})
            for title, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if self._read_only(request, obj):
            fields += [f"masked_{name}" for name in self.masked]
        return fields

    def _masked(self, obj: Any, name: str) -> str:
        shown = masked_value(obj, name)
        if not shown or obj.pk is None:
            return shown or "-"
        return format_html("{} {}", shown, _show_link(reveal_url(obj, self.reveal_kind)))

    @admin.display(description=_("identity document number"))
    def masked_identity_document_number(self, obj: Any) -> str:
        return self._masked(obj, "identity_document_number")

    @admin.display(description=_("IBAN"))
    def masked_iban(self, obj: Any) -> str:
        return self._masked(obj, "iban")

    @admin.display(description=_("account number"))
    def masked_account_number(self, obj: Any) -> str:
        return self._masked(obj, "account_number")

    @admin.display(description=_("details of convictions"))
    def masked_details(self, obj: Any) -> str:
        return self._masked(obj, "details")

    @admin.display(description=_("officer's review"))
    def masked_review_note(self, obj: Any) -> str:
        return self._masked(obj, "review_note")
