"""Decision letters: the authority writes to the party about each adverse decision, the refusal
of an application (Art. 6) and the suspension or revocation of a licence (Art. 6.3(a)), with the
decision, its reasons, its legal basis and how to appeal.

A letter belongs to the decision's audit event. The first version is printed as a consequence
of the decision: the decision service queues ``tasks.print_letter`` once its transaction has
committed, in the name of the officer who decided, whose decision the letter is (no print
permission is asked for it). Reprints are the registrar's (``print_document``), with a reason.
Each version is stored like a printed licence (``services.issuing``): SHA-256, version, public
code checkable at ``/verify/document/<code>/``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError, PermissionDenied
from licensing.jobs import enqueue
from licensing.models.activities import activity_labels
from licensing.models.applications import Application
from licensing.models.audit import AuditEvent, Verb
from licensing.models.decisions import DecisionGround
from licensing.models.issued import IssuedDocument, IssuedDocumentKind
from licensing.models.licences import Licence
from licensing.models.parties import Party
from licensing.services.common import locked
from licensing.services.issuing import ReprintReasonRequired, issue_document, may_print
from licensing.services.printing import (
    document_verification_url,
    party_language,
    render_pdf,
)

# The decisions that are written to the party, and the letter each one gets.
LETTER_FOR_VERB: dict[str, str] = {
    Verb.REFUSED: IssuedDocumentKind.REFUSAL_LETTER,
    Verb.SUSPENDED: IssuedDocumentKind.SUSPENSION_LETTER,
    Verb.REVOKED: IssuedDocumentKind.REVOCATION_LETTER,
}
TEMPLATES: dict[str, str] = {
    IssuedDocumentKind.REFUSAL_LETTER: "documents/letter_refusal.html",
    IssuedDocumentKind.SUSPENSION_LETTER: "documents/letter_suspension.html",
    IssuedDocumentKind.REVOCATION_LETTER: "documents/letter_revocation.html",
}

Subject = Application | Licence


class NotADecision(DomainError):
    default_message = _("No letter is written for this event.")


class NoLetterYet(DomainError):
    default_message = _("No decision letter has been issued here yet.")


def appeal_body() -> str:
    """The body that hears appeals, named in the active language: ``APPEAL_BODY_<LANG>``,
    else ``APPEAL_BODY``, else our translation of the default."""
    configured: dict[str, str] = settings.APPEAL_BODY
    language = translation.get_language() or settings.LANGUAGE_CODE
    return (
        configured.get(language, "")
        or configured.get("", "")
        or gettext("the Administrative Appeals Board")
    )


def decision_letter_key(event_id: int) -> str:
    """The idempotency key of a decision's first letter: whatever delivers the job, the
    letter for event N is printed once."""
    return f"decision-letter:{event_id}"


def _decision(event_id: int) -> tuple[AuditEvent, str, type[Subject]]:
    event = AuditEvent.objects.select_related("content_type", "actor").get(pk=event_id)
    kind = LETTER_FOR_VERB.get(event.verb)
    model = event.content_type.model_class()
    expected = Application if kind == IssuedDocumentKind.REFUSAL_LETTER else Licence
    if kind is None or model is not expected:
        raise NotADecision()
    return event, kind, expected


def decision_reference(event_id: int) -> str:
    """The application's reference or the licence's number that a decision's letter is about."""
    event, _kind, model = _decision(event_id)
    subject = model.objects.filter(pk=event.object_id).first()
    if subject is None:
        return f"#{event_id}"
    return subject.reference if isinstance(subject, Application) else subject.number


def letter_versions(event_id: int) -> Any:
    return IssuedDocument.objects.filter(event_id=event_id).order_by("-version")


def current_letters(subject: Subject) -> list[IssuedDocument]:
    """The latest version of each decision letter about this application or licence, the
    most recent decision first."""
    kinds = (
        [IssuedDocumentKind.REFUSAL_LETTER]
        if isinstance(subject, Application)
        else [IssuedDocumentKind.SUSPENSION_LETTER, IssuedDocumentKind.REVOCATION_LETTER]
    )
    letters = IssuedDocument.objects.filter(kind__in=kinds)
    letters = (
        letters.filter(application=subject)
        if isinstance(subject, Application)
        else letters.filter(licence=subject)
    )
    latest = letters.values("event_id").annotate(latest=Max("version"))
    wanted = {(row["event_id"], row["latest"]) for row in latest}
    return sorted(
        (doc for doc in letters.select_related("event") if (doc.event_id, doc.version) in wanted),
        key=lambda doc: (doc.event.at if doc.event else doc.issued_at, doc.pk),
        reverse=True,
    )


def queue_decision_letter(event: AuditEvent) -> None:
    """Called by the decision services inside their transaction: the letter is printed once
    the decision has committed, in the name of the officer who took it."""
    from licensing.tasks import print_letter

    event_id, user_id = event.pk, event.actor_id
    key = decision_letter_key(event_id)
    transaction.on_commit(lambda: enqueue(print_letter, event_id, user_id, "", idempotency_key=key))


def decisions_without_letter(
    *, older_than: dt.timedelta = dt.timedelta(minutes=10), now: dt.datetime | None = None
) -> list[tuple[int, int | None]]:
    """(event id, deciding officer id) of recent decisions that have no letter yet: their job
    was lost between the commit and the broker. Older than ``older_than``, so that a job on
    its way is not raced; no older than ``LETTER_SWEEP_DAYS``."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=settings.LETTER_SWEEP_DAYS)
    # Each decision of the window is looked up in the letters' index on event: NOT IN over
    # every letter ever issued would read them all on each sweep.
    lettered = IssuedDocument.objects.filter(event_id=OuterRef("pk"))
    return list(
        AuditEvent.objects.filter(
            verb__in=list(LETTER_FOR_VERB), at__gte=since, at__lt=now - older_than
        )
        .filter(~Exists(lettered))
        .order_by("at", "pk")
        .values_list("pk", "actor_id")
    )


def queue_letter_reprint(*, event_id: int, by: Any, reason: str) -> None:
    """The registrar's reprint, queued for after the request's transaction; the service
    checks the permission and the reason again when the job runs."""
    from licensing.tasks import print_letter

    key, user_id = uuid.uuid4().hex, by.pk
    transaction.on_commit(
        lambda: enqueue(print_letter, event_id, user_id, reason, idempotency_key=key)
    )


def _addressee(subject: Subject) -> Party:
    return subject.party if isinstance(subject, Application) else subject.holder


def _address_lines(party: Party) -> list[str]:
    """The postal address, else the headquarters or place of business (Art. 6.3(b)(ii))."""
    text = party.address or party.headquarters_address or party.principal_place_of_business
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if party.country and str(party.country.name) not in lines:
        lines.append(str(party.country.name))
    return lines


def letter_pdf(
    *,
    event_id: int,
    document_code: str = "",
    document_version: int = 0,
    first_issued_on: Any = None,
) -> bytes:
    """The decision letter as PDF, in the addressee's preferred language. Reads only; the
    caller stores it. ``first_issued_on`` is the date of the letter's first version: a
    reprint keeps the letter's date and says when it was reprinted."""
    event, kind, model = _decision(event_id)
    subject: Subject = model.objects.get(pk=event.object_id)
    party = _addressee(subject)
    language = party_language(party)
    today = timezone.localdate()
    officer = event.actor
    with translation.override(language):
        context = {
            "authority": settings.AUTHORITY_NAME,
            "kind": kind,
            "party": party,
            "address_lines": _address_lines(party),
            "application": subject if isinstance(subject, Application) else None,
            "licence": subject if isinstance(subject, Licence) else None,
            "reference": subject.reference if isinstance(subject, Application) else subject.number,
            "activities": activity_labels(list(subject.activities or [])),
            "decided_on": timezone.localdate(event.at),
            "letter_date": first_issued_on or today,
            "reprinted_on": today if first_issued_on else None,
            # Officer text: autoescaped by the template, never marked safe.
            "reason": event.reason,
            "ground": _ground(event),
            "officer": officer,
            "appeal_body": appeal_body(),
            "appeal_days": settings.APPEAL_DAYS,
            "document_code": document_code,
            "document_version": document_version,
            "document_url": document_verification_url(document_code) if document_code else "",
        }
        return render_pdf(template=TEMPLATES[kind], context=context, language=language)


def _ground(event: AuditEvent) -> str:
    """The decision's ground in national law (Art. 6.3(a)), in the active language; "" for
    a decision taken before grounds were recorded."""
    ground = (event.changes or {}).get("ground", "")
    return str(DecisionGround(ground).label) if ground in DecisionGround.values else ""


@transaction.atomic
def issue_letter(
    *, event_id: int, by: Any, reason: str = "", idempotency_key: str = ""
) -> IssuedDocument:
    """Print the letter about one decision and keep the PDF as version n+1 of that letter.

    The first version: the officer who took the decision (the letter is part of it) or anyone
    who may print. A reprint: ``print_document`` only, with a reason, recorded on the document
    and in the audit trail. With ``idempotency_key``, a second call with the same key returns
    the document of the first and prints nothing."""
    event, kind, model = _decision(event_id)
    # The subject's row lock puts concurrent prints of its letters in a line (PostgreSQL).
    subject: Subject = locked(model, int(event.object_id))
    if idempotency_key:
        done = IssuedDocument.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            return done
    reason = reason.strip()
    versions = letter_versions(event.pk)
    previous = versions.first()
    if previous is None:
        deciding_officer = by is not None and event.actor_id is not None and by.pk == event.actor_id
        if not (deciding_officer or may_print(by)):
            raise PermissionDenied()
    else:
        if not may_print(by):
            raise PermissionDenied()
        if not reason:
            raise ReprintReasonRequired()
    first = versions.last()
    version = previous.version + 1 if previous is not None else 1
    document = IssuedDocument(
        kind=kind,
        licence=subject if isinstance(subject, Licence) else None,
        application=subject if isinstance(subject, Application) else None,
        event=event,
        version=version,
        language=party_language(_addressee(subject)),
        issued_by=by,
        is_reprint=previous is not None,
        reprint_reason=reason if previous is not None else "",
    )
    return issue_document(
        document,
        lambda code: letter_pdf(
            event_id=event.pk,
            document_code=code,
            document_version=version,
            first_issued_on=timezone.localdate(first.issued_at) if first is not None else None,
        ),
        subject=subject,
        by=by,
        details={"kind": kind, "decision": event.pk},
        idempotency_key=idempotency_key,
    )
