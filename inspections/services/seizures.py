"""Art. 18: a seizure case opened in one step from an inspection's finding of a machine that is
not in the register, or that carries the serial of another holder's or site's machine. The case
is seized from the inspected licensee at the inspected site, today, and holds the machine as
its first item; the officer adds the rest (tobacco, products, persons) on the case's page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.models import Finding, FindingKind
from licensing.exceptions import DomainError
from licensing.services.common import locked
from seizures.models import ItemKind, PartyKind, SeizedItem, SeizureCase, StorageLocation, Unit
from seizures.services import cases

# The findings a seizure can start from.
MACHINE_FINDINGS = (FindingKind.UNKNOWN_MACHINE, FindingKind.MISMATCH)


class CaseAlreadyOpened(DomainError):
    default_message = _("A seizure case was already opened from this finding.")


class NotAMachineFinding(DomainError):
    default_message = _("Only a finding of an unknown or mismatched machine opens a seizure.")


def open_findings(inspection: Any) -> Any:
    return inspection.findings.filter(
        kind__in=MACHINE_FINDINGS, seizure_case__isnull=True
    ).order_by("pk")


@transaction.atomic
def open_seizure_case(
    *,
    finding_id: int,
    by: Any,
    agency: str,
    make: str,
    model: str = "",
    cloned: bool = False,
    store: StorageLocation | None = None,
) -> SeizureCase:
    """Officers who record seizures (``seizures.add_seizurecase``)."""
    finding = locked(Finding, finding_id)
    if finding.seizure_case_id is not None:
        raise CaseAlreadyOpened()
    if finding.kind not in MACHINE_FINDINGS or not finding.serial:
        raise NotAMachineFinding()
    inspection = finding.inspection
    site = inspection.site
    case = SeizureCase(
        agency=agency.strip(),
        seized_on=timezone.localdate(),
        place=f"{site.name}, {site.street_address}, {site.postal_code} {site.municipality}",
        country=site.country,
        party_kind=PartyKind.LICENSED,
        party=inspection.licence.holder,
        summary=str(
            _("Opened from a finding of inspection %(inspection)s: %(finding)s")
            % {"inspection": inspection.pk, "finding": finding.text}
        ),
    )
    try:
        case.full_clean(exclude=["reference", "recorded_by", "state"])
        cases.record_case(case=case, by=by)
        cases.add_item(
            case_id=case.pk,
            item=SeizedItem(
                kind=ItemKind.MACHINE,
                make=make.strip(),
                model=model.strip(),
                serial_number=finding.serial,
                cloned=cloned,
                quantity=1,
                unit=Unit.PIECE,
            ),
            by=by,
            location=store,
        )
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error
    finding.seizure_case = case
    finding.save(update_fields=["seizure_case", "updated_at"])
    return case
