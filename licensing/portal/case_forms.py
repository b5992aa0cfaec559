"""Forms of the pages after filing: answering the authority, withdrawing, notifying a change,
and requesting or accepting a transfer. Each only checks its input; services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.models import Party
from licensing.services.cases import ChangeSubject

MAX_REPLY_FILES = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class InformationReplyForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10_000,
    )
    documents = MultipleFileField(label=_("Documents"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Interpolated here, in the user's language: at class level it would be done once,
        # at import, in the default language.
        self.fields["documents"].help_text = _(
            "PDF, PNG or JPEG, up to %(count)d files of at most %(mb)d MB each."
        ) % {"count": MAX_REPLY_FILES, "mb": settings.DOCUMENT_MAX_BYTES // 2**20}

    def clean_answer(self) -> str:
        answer = str(self.cleaned_data["answer"]).strip()
        if not answer:
            raise forms.ValidationError(_("Enter your answer."))
        return answer

    def clean_documents(self) -> list[Any]:
        files = list(self.cleaned_data.get("documents") or [])
        if len(files) > MAX_REPLY_FILES:
            raise forms.ValidationError(
                _("Attach at most %(count)d files.") % {"count": MAX_REPLY_FILES}
            )
        return files


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing the application?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2_000,
    )


class ChangeNotificationForm(forms.Form):
    """Art. 6.3(g): a change is notified in advance, with the date it takes effect."""

    subject = forms.ChoiceField(
        label=_("What changes?"),
        choices=ChangeSubject.CHOICES,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("Describe the change"),
        help_text=_("For a new business location, give its precise address."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5_000,
    )
    effective_on = forms.DateField(
        label=_("Date the change takes effect"),
        help_text=_("It must be after today: changes are notified in advance."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_description(self) -> str:
        description = str(self.cleaned_data["description"]).strip()
        if not description:
            raise forms.ValidationError(_("Describe the change."))
        return description

    def clean_effective_on(self) -> Any:
        effective_on = self.cleaned_data["effective_on"]
        if effective_on <= timezone.localdate():
            raise forms.ValidationError(_("Give a date after today."))
        return effective_on


class TransferRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the proposed licensee"),
        help_text=_(
            "We send them a link. They accept from their own account and then apply with "
            "their full information; the authority decides."
        ),
    )


class TransferAcceptForm(forms.Form):
    party = forms.ModelChoiceField(
        label=_("Take over the licence as"),
        queryset=Party.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args: Any, parties: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["party"])
        field.queryset = parties
