"""Reads of personal data leave a trace (Art. 5; ASVS V16.3.2 at L3, V16.2.1). Staff see identity
document numbers and bank account numbers masked and criminal-record details hidden; revealing
one, or downloading an uploaded document, is a deliberate act that writes one VIEWED event naming
the subject (the Party, and the Person where there is one), so that the auditor can list every
read of one subject's data (``reads_of``).

Roles that do not work the case (``PERSONAL_DATA_PURPOSE_GROUPS``: auditors, inspectors,
registrars by default) give a purpose first, kept as the event's reason."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError
from licensing.models import (
    AuditEvent,
    BankAccount,
    CriminalRecordDeclaration,
    Document,
    Party,
    Person,
    Verb,
)
from licensing.services.audit import record_event

DEFAULT_PURPOSE_GROUPS = ("auditor", "inspector", "registrar")
# Who lists the reads of a subject: the auditor (and superusers).
READS_GROUPS = ("auditor",)

# What a reveal shows, per kind of record: the fields it reads.
IDENTITY_FIELDS = ("identity_document_type", "identity_document_number")
BANK_FIELDS = ("iban", "account_number")
DECLARATION_FIELDS = ("has_convictions", "details", "review_note", "document")


class PurposeRequired(DomainError):
    # Art. 5: roles outside the case state why they read personal data.
    default_message = _("State the purpose for which you need to see this personal data.")


def mask(value: object, *, keep: int = 4) -> str:
    """All but the last ``keep`` characters hidden: ``•••• 1234``. Short values are hidden whole."""
    text = str(value or "").replace(" ", "")
    if not text:
        return ""
    if len(text) <= keep * 2:
        return "••••"
    return f"•••• {text[-keep:]}"


def _in_groups(user: Any, names: tuple[str, ...] | list[str]) -> bool:
    return bool(user.groups.filter(name__in=names).exists())


def purpose_required(user: Any) -> bool:
    """True for the roles that state a purpose before reading (settings)."""
    names = getattr(settings, "PERSONAL_DATA_PURPOSE_GROUPS", DEFAULT_PURPOSE_GROUPS)
    return _in_groups(user, tuple(names))


def may_list_reads(user: Any) -> bool:
    """The auditor's list of reads per subject (ASVS V8.2.1): auditors and superusers only."""
    return bool(user.is_active and (user.is_superuser or _in_groups(user, READS_GROUPS)))


def subject_of(obj: models.Model) -> tuple[Party, Person | None]:
    """The Party and the Person a record of personal data concerns."""
    if isinstance(obj, Party):
        return obj, None
    if isinstance(obj, Person):
        return obj.party, obj
    if isinstance(obj, CriminalRecordDeclaration):
        return obj.party, obj.person
    if isinstance(obj, Document):
        # A declaration's supporting document concerns the person who declared.
        declaration = CriminalRecordDeclaration.objects.filter(document=obj).first()
        return obj.party, declaration.person if declaration is not None else None
    if isinstance(obj, BankAccount):
        return obj.party, None
    raise TypeError(f"not a record of personal data: {type(obj).__name__}")


def record_read(
    *, obj: models.Model, by: Any, fields: tuple[str, ...], purpose: str = ""
) -> AuditEvent:
    """One VIEWED event for ``by`` reading ``fields`` of ``obj``. The caller has checked that
    ``by`` may see the page the read comes from. Raises ``PurposeRequired`` when the role must
    state a purpose and has not (nothing is written)."""
    purpose = purpose.strip()
    if not purpose and purpose_required(by):
        raise PurposeRequired()
    party, person = subject_of(obj)
    changes: dict[str, Any] = {
        "fields": list(fields),
        "party_id": party.pk,
        "party": str(party),
        "person_id": person.pk if person is not None else None,
        "person": person.full_name if person is not None else "",
    }
    if isinstance(obj, Document):
        changes["document_kind"] = obj.kind
        changes["document"] = obj.original_name
    return record_event(obj, verb=Verb.VIEWED, by=by, reason=purpose, changes=changes)


def read_identity_document(*, record: Party | Person, by: Any, purpose: str = "") -> AuditEvent:
    """Art. 6.3(b)(i)-(ii): a party's or a person's identity document, read in full."""
    return record_read(obj=record, by=by, fields=IDENTITY_FIELDS, purpose=purpose)


def read_bank_account(*, account: BankAccount, by: Any, purpose: str = "") -> AuditEvent:
    """Art. 6.3(b)(vii): a bank account's full number."""
    return record_read(obj=account, by=by, fields=BANK_FIELDS, purpose=purpose)


def read_declaration(
    *, declaration: CriminalRecordDeclaration, by: Any, purpose: str = ""
) -> AuditEvent:
    """Art. 6.3(b)(vi): a criminal-record declaration's details and the officer's review."""
    return record_read(obj=declaration, by=by, fields=DECLARATION_FIELDS, purpose=purpose)


def download_document(*, document: Document, by: Any, purpose: str = "") -> AuditEvent:
    """An uploaded document, downloaded by staff."""
    return record_read(obj=document, by=by, fields=("file",), purpose=purpose)


def reads_of(
    *, party: Party | None = None, person: Person | None = None, term: str = ""
) -> QuerySet[AuditEvent]:
    """Selector: the VIEWED events about one subject (or about the parties whose name or number
    matches ``term``), newest first."""
    from licensing.selectors import parties_matching

    events = AuditEvent.objects.filter(verb=Verb.VIEWED)
    if person is not None:
        events = events.filter(changes__person_id=person.pk)
    elif party is not None:
        events = events.filter(changes__party_id=party.pk)
    if term.strip():
        ids = list(parties_matching(term).values_list("pk", flat=True)[:500])
        events = events.filter(changes__party_id__in=ids)
    return events.select_related("content_type").order_by("-at", "-pk")
