"""Writing and reading the register of disclosures (Art. 5, 21, 22.2). Every path by which
records leave the authority writes here, in its own transaction: an assistance case's answer
(``answers.send_answer``), an export of seizure records (``seizures.signals.records_exported``,
received in ``cooperation.receivers``) and the API (``api.views.base``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import tablib
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from cooperation.models import AssistanceCase, Disclosure, DisclosureChannel, Section
from licensing.exceptions import PermissionDenied
from licensing.exchange.escaping import escaped
from licensing.models.audit import Verb
from licensing.services.audit import record_event

VIEW = "cooperation.view_disclosure"
EXPORT = "cooperation.export_disclosure"

# The article each part of an answer is shared under.
SECTION_ARTICLES: dict[str, str] = {
    Section.LICENCE: "21.1(a)",
    Section.PARTY: "21.1(b)",
    Section.PERSONS: "21.1(b)",
    Section.MACHINES: "28(e)",
    Section.SEIZURES: "21.1(e)",
}


# The kinds of record the register names ("licence TL-2026-000001-X"), stored in English so that
# the register reads the same for every reader and export; shown in the reader's language.
RECORD_KINDS = {
    "licence history": pgettext_lazy("disclosed record", "licence history"),
    "licence": pgettext_lazy("disclosed record", "licence"),
    "party": pgettext_lazy("disclosed record", "party"),
    "person": pgettext_lazy("disclosed record", "person"),
    "machine": pgettext_lazy("disclosed record", "machine"),
    "seizure": pgettext_lazy("disclosed record", "seizure"),
}


def record_label(record: str) -> str:
    """One stored record, its kind in the reader's language."""
    for kind, label in RECORD_KINDS.items():  # "licence history" before "licence"
        if record.startswith(f"{kind} "):
            return f"{label} {record[len(kind) + 1 :]}"
    return record


def records_text(records: Iterable[str]) -> str:
    return "; ".join(record_label(r) for r in records)


def articles_of(sections: Iterable[str]) -> str:
    found = sorted({SECTION_ARTICLES[s] for s in sections if s in SECTION_ARTICLES})
    return ", ".join(["28", *found]) if found else "28"


def record_case_answer(
    *, case: AssistanceCase, answer_records: list[str], sections: list[str], by: Any
) -> int:
    """One row for the party concerned (or none known) when the answer held records; the
    articles are those of the ``sections`` that held some."""
    if not answer_records:
        return 0
    Disclosure.objects.create(
        channel=DisclosureChannel.CASE,
        authority=case.authority,
        country=case.authority.country,
        article=articles_of(sections),
        purpose=(case.justification or case.question)[:2000],
        party_id=case.party_id,
        records=answer_records,
        personal_data=case.personal_data,
        case=case,
        document=case.answer_document,
        source=case.reference or "",
        by=by,
    )
    return 1


@dataclass(frozen=True)
class Left:
    """What left about one party (None: about no party of the register)."""

    party_id: int | None
    records: list[str]
    personal_data: bool = False


def record_many(
    *,
    channel: str,
    left: Iterable[Left],
    article: str,
    purpose: str,
    by: Any = None,
    authority: Any = None,
    recipient: str = "",
    country: str = "",
    source: str = "",
) -> int:
    """Rows for an export or an API call: one per party concerned, in one insert."""
    at = timezone.now()
    rows = [
        Disclosure(
            at=at,
            channel=channel,
            authority=authority,
            recipient=recipient[:300],
            country=country or (authority.country if authority is not None else ""),
            article=article[:40],
            purpose=purpose[:2000] or "-",
            party_id=item.party_id,
            records=item.records,
            personal_data=item.personal_data,
            source=source[:80],
            by=by,
        )
        for item in left
        if item.records
    ]
    Disclosure.objects.bulk_create(rows)
    return len(rows)


def of_party(party: Any, user: Any) -> QuerySet[Disclosure]:
    """Who has received what about the party: for staff who may read the register."""
    if not user.has_perm(VIEW):
        raise PermissionDenied()
    return Disclosure.objects.filter(party=party).select_related("authority", "case")


CSV_HEADERS = (
    "disclosed_at",
    "channel",
    "recipient",
    "country",
    "article",
    "purpose",
    "party",
    "party_registration_number",
    "records",
    "personal_data",
    "case",
    "document",
    "trace",
    "by",
)


def export_csv(queryset: QuerySet[Disclosure], by: Any) -> bytes:
    """Auditors and senior officers (``export_disclosure``): the register as CSV, every cell
    escaped against formula injection; the export is itself an audit event."""
    if not (by.is_active and by.has_perm(EXPORT)):
        raise PermissionDenied()
    record_event(
        ContentType.objects.get_for_model(Disclosure),
        verb=Verb.EXPORTED,
        by=by,
        changes={"format": "csv", "records": queryset.count()},
    )
    dataset = tablib.Dataset(headers=list(CSV_HEADERS), title="disclosures")
    rows = queryset.select_related("authority", "party", "case", "document", "by").order_by(
        "at", "pk"
    )
    for row in rows.iterator(chunk_size=2000):
        dataset.append(
            [
                row.at.isoformat(),
                row.channel,
                row.recipient_label,
                str(row.country.code or ""),
                row.article,
                row.purpose,
                row.party.legal_name if row.party is not None else "",
                row.party.registration_number if row.party is not None else "",
                "; ".join(row.records or []),
                "yes" if row.personal_data else "no",
                row.case.reference if row.case is not None else "",
                row.document.code if row.document is not None else "",
                row.source,
                row.by.get_username() if row.by is not None else "",
            ]
        )
    return str(escaped(dataset).export("csv")).encode("utf-8-sig")
