"""The people of a filing: directors and legal representatives (Art. 6.3(b)(ii)) and their
criminal-record declarations (Art. 6.3(b)(vi))."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from licensing.exceptions import PermissionDenied
from licensing.models.applications import Application
from licensing.models.documents import Document
from licensing.models.parties import CriminalRecordDeclaration, Party, Person
from licensing.services import draft_records
from licensing.services.documents import RejectedUpload, store_document
from licensing.services.drafts.common import (
    event_subject,
    full_clean,
    guard,
    save_owned_rows,
    step_event,
)


def end_role(person: Any) -> None:
    """Art. 9.5(a): a person no longer in role is kept, the role ended today (or on its first
    day, for a role that had not begun: the database holds a role's dates in order)."""
    today = timezone.localdate()
    person.active_until = max(today, person.active_from) if person.active_from else today


@transaction.atomic
def save_persons(
    *,
    party: Party,
    application: Application | None,
    persons: list[Person],
    removed: list[Person],
    by: Any,
) -> None:
    """Art. 6.3(b)(ii): directors and legal representatives. Records are kept (Art. 9.5(a)):
    removing a person ends the role today."""
    current = guard(party=party, application=application, by=by)
    saved, ended = save_owned_rows(
        party=party, application=current, rows=persons, removed=removed, end=end_role
    )
    step_event(event_subject(party, current), by=by, step="persons", records=saved, removed=ended)


@transaction.atomic
def save_criminal_declarations(
    *, application: Application, declarations: list[dict[str, Any]], by: Any
) -> None:
    """Art. 6.3(b)(vi): a declaration for the party and for each director and legal
    representative, each with an optional document ("documentation or a declaration"). A new
    declaration is recorded each time; the latest counts. An upload refused by
    ``store_document`` rolls the whole step back."""
    party = application.party
    current = guard(party=party, application=application, by=by)
    people = draft_records.persons(party, current)
    for index, item in enumerate(declarations):
        person = item.get("person")
        if person is not None and not people.filter(pk=person.pk).exists():
            raise PermissionDenied()
        document: Document | None = None
        if item.get("upload"):
            try:
                document = store_document(
                    party=party,
                    upload=item["upload"],
                    kind="criminal_record",
                    by=by,
                    application=current,
                )
            except RejectedUpload as exc:
                exc.index = index  # type: ignore[attr-defined]  # which form's file it was
                raise
        declaration = CriminalRecordDeclaration(
            party=party,
            person=person,
            has_convictions=item["has_convictions"],
            details=item.get("details", ""),
            declared_on=timezone.localdate(),
            document=document,
        )
        full_clean(declaration)
        declaration.save()
    step_event(party, by=by, step="criminal_records", records=len(declarations))


__all__ = ["save_criminal_declarations", "save_persons"]
