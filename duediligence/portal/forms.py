"""The licensee's report forms (Art. 7.1 to 7.3, 7.1(c), 10.1(a)), one per kind. Each checks
its input with the model's own rules (``LicenseeReport.clean``); the service decides."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from duediligence.models import LicenseeReport, ReportKind
from duediligence.services.reports import MAX_EVIDENCE_FILES
from licensing.models import Party
from licensing.portal.case_forms import MultipleFileField

IDENTITY = [
    "customer_name",
    "natural_person",
    "country",
    "registration_number",
    "tax_number",
    "address",
    "licence_number",
]
BANK = ["iban", "account_number", "bank_country"]
PERSON = ["date_of_birth", "identity_document_number", "identity_document_country"]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(forms.ModelForm):
    """What every report names: the licensee filing it and the customer it is about."""

    kind: str = ""
    licensee = forms.ModelChoiceField(
        label=_("Reporting licensee"), queryset=Party.objects.none(), empty_label=None
    )

    class Meta:
        model = LicenseeReport
        fields = IDENTITY
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, licensees: QuerySet[Party], **kwargs: Any) -> None:
        kwargs.setdefault("instance", LicenseeReport(kind=self.kind))
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["licensee"]).queryset = licensees
        self.order_fields(["licensee", *self.fields])
        for name in ("date_of_birth", "checked_on", "occurred_on"):
            if name in self.fields:
                self.fields[name].widget = DATE
        if "evidence_files" in self.fields:
            self.fields["evidence_files"].help_text = _(
                "PDF, PNG or JPEG, up to %(count)d files of at most %(mb)d MB each."
            ) % {"count": MAX_EVIDENCE_FILES, "mb": settings.DOCUMENT_MAX_BYTES // 2**20}

    def clean_customer_name(self) -> str:
        name = str(self.cleaned_data["customer_name"]).strip()
        if not name:
            raise forms.ValidationError(_("Enter the customer's name."))
        return name

    def clean_iban(self) -> str:
        value = str(self.cleaned_data.get("iban") or "").strip()
        if not value:
            return ""
        try:
            return str(IBAN(value).compact)
        except SchwiftyException:
            raise forms.ValidationError(_("Enter a valid IBAN.")) from None

    def clean_currency(self) -> str:
        return str(self.cleaned_data.get("currency") or "").strip().upper()

    def clean_evidence_files(self) -> list[Any]:
        files = list(self.cleaned_data.get("evidence_files") or [])
        if len(files) > MAX_EVIDENCE_FILES:
            raise forms.ValidationError(
                _("Attach at most %(count)d files.") % {"count": MAX_EVIDENCE_FILES}
            )
        return files

    def report_data(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("licensee", "evidence_files")
        }


class CustomerRecordForm(ReportForm):
    """Art. 7.1-7.3: the customer's identification, bank account, and what was checked."""

    kind = ReportKind.CUSTOMER_RECORD

    class Meta(ReportForm.Meta):
        fields = [*IDENTITY, *BANK, *PERSON, "checks_done", "documents_seen", "checked_on"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "checks_done": forms.Textarea(attrs={"rows": 4}),
            "documents_seen": forms.Textarea(attrs={"rows": 3}),
        }


class ContraventionForm(ReportForm):
    """Art. 7.1(c): evidence that the customer contravenes the Protocol."""

    kind = ReportKind.CONTRAVENTION
    evidence_files = MultipleFileField(label=_("Evidence"), required=False)

    class Meta(ReportForm.Meta):
        fields = [*IDENTITY, *BANK, "description", "occurred_on"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }


class TransactionForm(ReportForm):
    """Art. 10.1(a): a suspicious transaction, cross-border cash or payment in kind."""

    kind = ReportKind.TRANSACTION
    evidence_files = MultipleFileField(label=_("Evidence"), required=False)

    class Meta(ReportForm.Meta):
        fields = [
            *IDENTITY,
            *BANK,
            "amount",
            "currency",
            "occurred_on",
            "means_of_payment",
            "cross_border",
            "description",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }


FORMS: dict[str, type[ReportForm]] = {
    ReportKind.CUSTOMER_RECORD: CustomerRecordForm,
    ReportKind.CONTRAVENTION: ContraventionForm,
    ReportKind.TRANSACTION: TransactionForm,
}
