"""The inspection page's button that opens a seizure case from a machine finding (Art. 18)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from inspections.models import Finding, Inspection
from inspections.services import seizures
from licensing.admin.actions import AdminAction
from licensing.admin.forms import ActionForm
from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed
from seizures.models import StorageLocation


class OpenSeizureForm(ActionForm):
    finding = forms.ModelChoiceField(label=_("Finding"), queryset=Finding.objects.none())
    agency = forms.CharField(label=_("Seizing agency"), max_length=120)
    make = forms.CharField(label=_("Make on the plate"), max_length=120)
    model = forms.CharField(label=_("Model"), max_length=120, required=False)
    cloned = forms.BooleanField(
        label=_("Cloned serial"),
        required=False,
        help_text=_(
            "The register holds another physical machine with the same make and serial number."
        ),
    )
    store = forms.ModelChoiceField(
        label=_("Kept at"), queryset=StorageLocation.objects.filter(active=True), required=False
    )

    def __init__(self, data: object = None, *, obj: Any = None) -> None:
        super().__init__(data, obj=obj)
        self.fields["agency"].initial = settings.AUTHORITY_NAME
        if obj is not None:
            findings = seizures.open_findings(obj)
            self.fields["finding"].queryset = findings  # type: ignore[attr-defined]
            first = findings.select_related("machine").first()
            if first is not None and first.machine is not None:
                self.fields["make"].initial = first.machine.make


def _blockers(inspection: Inspection, user: Any) -> list[DomainError]:
    if not user.has_perm("seizures.add_seizurecase"):
        return [PermissionDenied()]
    if not seizures.open_findings(inspection).exists():
        return [TransitionNotAllowed(_("No finding of an unknown or mismatched machine."))]
    return []


OPEN_SEIZURE = AdminAction(
    "open_seizure",
    _("Open a seizure case"),
    blockers=_blockers,
    form=OpenSeizureForm,
    run=lambda i, u, d: seizures.open_seizure_case(
        finding_id=d["finding"].pk,
        by=u,
        agency=d["agency"],
        make=d["make"],
        model=d["model"],
        cloned=d["cloned"],
        store=d["store"],
    ),
    help_text=_(
        "Art. 18: a seizure from this licensee at this site, today, with the machine of the "
        "finding as its first item. Add the other items on the case's page."
    ),
    done_message=_("The seizure case is opened: it is linked from the finding below."),
)
