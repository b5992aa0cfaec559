"""The small forms behind the decision buttons: a reason, a question, a payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.models import Condition, DecisionGround


class ActionForm(forms.Form):
    """A decision form; ``obj`` is the record the decision is about."""

    def __init__(self, data: object = None, *, obj: object = None) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        self.obj = obj


class ReasonForm(ActionForm):
    """Refusal, suspension and revocation carry a reason (it goes to the holder by e-mail)."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Sent to the applicant or licence holder and kept in the audit trail."),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("A reason is required."))
        return reason


class GroundedReasonForm(ReasonForm):
    """A refusal, suspension or revocation: its ground in national law (Art. 6.3(a)), counted
    on the management pages, and the reason the holder reads."""

    ground = forms.ChoiceField(
        label=_("Ground"),
        choices=[("", "---------"), *DecisionGround.choices],
        help_text=_("The ground in national law; the reason below explains it to the holder."),
        error_messages={"required": _("Choose the ground of the decision.")},
    )
    field_order = ("ground", "reason")


class OptionalReasonForm(ActionForm):
    reason = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Optional. Kept in the audit trail."),
    )


class RejectProposalForm(ActionForm):
    note = forms.CharField(
        label=_("Why the proposal is sent back"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )


class InformationRequestForm(ActionForm):
    question = forms.CharField(
        label=_("Question to the applicant"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
    )
    due_on = forms.DateField(
        label=_("Answer due on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for the default period."),
        required=False,
    )

    def clean_due_on(self) -> dt.date | None:
        due_on: dt.date | None = self.cleaned_data.get("due_on")
        if due_on is not None and due_on <= timezone.localdate():
            raise forms.ValidationError(_("The answer must be due after today."))
        return due_on


class ReplyForm(ActionForm):
    answer = forms.CharField(
        label=_("The applicant's reply"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        help_text=_("For a reply received by post or e-mail."),
    )


class PaymentForm(ActionForm):
    """Art. 6.3(c): a fee payment received, as the bank statement shows it."""

    reference = forms.CharField(label=_("Payment reference"), max_length=64)
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    paid_on = forms.DateField(
        label=_("Paid on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )

    def clean_paid_on(self) -> dt.date:
        paid_on: dt.date = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("The payment date cannot be in the future."))
        return paid_on


class ConditionMetForm(ActionForm):
    condition = forms.ModelChoiceField(
        label=_("Condition met"), queryset=Condition.objects.none(), empty_label=None
    )

    def __init__(self, data: object = None, *, obj: object = None) -> None:
        super().__init__(data, obj=obj)
        field = self.fields["condition"]
        field.queryset = Condition.objects.filter(  # type: ignore[attr-defined]
            met_at__isnull=True,
            **{obj._meta.model_name: obj},  # type: ignore[attr-defined]
        )
