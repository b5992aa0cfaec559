"""Licensees' reports (Art. 7.1 to 7.3, 7.1(c), 10.1(a)): filed from the portal by a user acting
for a licensee, handled by an officer in the admin. Each function is the one door for its step:
it locks the row, checks the actor, runs the transition and writes the audit event."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duediligence.models import LicenseeReport
from duediligence.services.report_keys import index_report
from licensing.exceptions import DomainError, PermissionDenied
from licensing.models import DocumentKind, LicenceState, Party, Verb
from licensing.selectors import acting_parties
from licensing.services.audit import record_event
from licensing.services.common import locked, require_reason, run_transition
from licensing.services.documents import store_document

# A suspended licensee still deals with customers it must know (Art. 7): it reports too.
REPORTING_LICENCE_STATES = (LicenceState.ACTIVE, LicenceState.SUSPENDED)
MAX_EVIDENCE_FILES = 5

# What a licensee may write on a report; everything else is the authority's.
REPORT_FIELDS = (
    "customer_name",
    "natural_person",
    "country",
    "registration_number",
    "tax_number",
    "address",
    "iban",
    "account_number",
    "bank_country",
    "licence_number",
    "date_of_birth",
    "identity_document_number",
    "identity_document_country",
    "checks_done",
    "documents_seen",
    "checked_on",
    "description",
    "occurred_on",
    "amount",
    "currency",
    "means_of_payment",
    "cross_border",
)


class NotALicensee(DomainError):
    default_message = _("Only a party that holds a licence files these reports.")


def reporting_parties(user: Any) -> QuerySet[Party]:
    """The parties this portal user acts for that hold a licence, so owe the reports of
    Art. 7 and 10."""
    return (
        acting_parties(user)
        .filter(licences__state__in=REPORTING_LICENCE_STATES)
        .distinct()
        .order_by("legal_name", "pk")
    )


@transaction.atomic
def file_report(
    *,
    party_id: int,
    by: Any,
    kind: str,
    data: dict[str, Any],
    uploads: Iterable[UploadedFile] = (),
) -> LicenseeReport:
    """A user acting for a licensee files a report. The evidence is stored as the licensee's
    documents (so kept, hashed and served like every upload); the counterparty's identifiers
    are indexed at once, and count in screening once an officer accepts the report. Nothing is
    written when a file or a field is refused."""
    party = Party.objects.get(pk=party_id)
    if not by.has_perm("licensing.act_for_party", party):
        raise PermissionDenied()
    if not reporting_parties(by).filter(pk=party.pk).exists():
        raise NotALicensee()
    files = list(uploads)
    if len(files) > MAX_EVIDENCE_FILES:
        raise DomainError(_("Attach at most %(count)d files.") % {"count": MAX_EVIDENCE_FILES})
    report = LicenseeReport(
        kind=kind,
        licensee=party,
        filed_by=by,
        **{name: value for name, value in data.items() if name in REPORT_FIELDS},
    )
    report.full_clean(exclude=["state"])  # protected: set by the transitions only
    report.save()
    documents = [
        store_document(party=party, upload=upload, kind=DocumentKind.OTHER, by=by)
        for upload in files
    ]
    report.evidence.add(*documents)
    record_event(
        report,
        verb=Verb.SUBMITTED,
        by=by,
        to_state=report.state,
        changes={"kind": kind, "evidence": [d.sha256 for d in documents]},
    )
    index_report(report)
    return report


@transaction.atomic
def take_report_into_review(*, report_id: int, by: Any) -> LicenseeReport:
    """Licence and senior officers: the report is theirs to look into."""
    report = locked(LicenseeReport, report_id)
    report.handled_by = by
    run_transition(
        report, "take_into_review", by=by, verb=Verb.REVIEW_STARTED, extra_fields=("handled_by",)
    )
    return report


@transaction.atomic
def accept_report(*, report_id: int, by: Any, comment: str) -> LicenseeReport:
    """Licence and senior officers: the report is relevant. From now on its counterparty's
    identifiers flag an application that shares one (``duediligence.report_source``)."""
    return _decide(report_id, by, comment, "accept", Verb.REPORT_ACCEPTED)


@transaction.atomic
def dismiss_report(*, report_id: int, by: Any, reason: str) -> LicenseeReport:
    """Licence and senior officers: no action; the reason is kept on the report."""
    return _decide(report_id, by, reason, "dismiss", Verb.REPORT_DISMISSED)


def _decide(report_id: int, by: Any, comment: str, name: str, verb: Verb) -> LicenseeReport:
    report = locked(LicenseeReport, report_id)
    text = require_reason(comment)
    report.officer_comment = text
    report.handled_by = by
    report.decided_at = timezone.now()
    run_transition(
        report,
        name,
        by=by,
        verb=verb,
        reason=text,
        extra_fields=("officer_comment", "handled_by", "decided_at"),
    )
    return report
