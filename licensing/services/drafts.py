"""Filing a licence application through the portal, step by step (Art. 6.3(b)).

How a new draft comes into being. ``create_application`` needs the activities (Art. 6.1, 6.2)
at creation, and the applicant may not exist yet. So the first steps (type of applicant and
identity, Art. 6.3(b)(i)-(ii), with tax registrations, affiliates, directors and legal
representatives) live on the **Party**: ``create_party`` makes it and lets the filing user act
for it (``licensing.act_for_party``). The **Application** is created when the activities step is
first saved (``save_activities``); every later step belongs to it. Until then the filing is "a
party without an application", and the portal's draft list shows such parties too. A party has
at most one new-licence draft at a time: a second start for the same party resumes it.

Renewal, transfer and change drafts are created by ``create_application(kind=..., licence=...)``
elsewhere; the same steps then edit the existing party, and the sites step offers the licence's
sites until the draft has its own.

Every function here is keyword-only, checks that ``by`` acts for the party and that the
application is still a draft, saves inside one transaction and writes an audit event. The audit
trail names the step and how many records it touched, never personal values (Art. 5).

Nothing is deleted (Art. 9.5(a)). "Removing" a tax registration, bank account, corporate
affiliation or market declaration ends it (``ended_at``); a director's role ends
(``active_until``); a site or product is unlinked from the draft."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm

from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed
from licensing.models.applications import (
    Application,
    ApplicationKind,
    ApplicationState,
    MarketDeclaration,
)
from licensing.models.audit import Verb
from licensing.models.documents import Document
from licensing.models.parties import (
    CorporateAffiliation,
    CriminalRecordDeclaration,
    Party,
    PartyKind,
    Person,
)
from licensing.services import applications as application_services
from licensing.services.audit import record_event
from licensing.services.common import locked
from licensing.services.documents import RejectedUpload, store_document
from licensing.services.draft_checks import Problem, draft_problems
from licensing.services.records import PERSONAL, plain

__all__ = [
    "DraftIncomplete",
    "Problem",
    "create_party",
    "draft_problems",
    "save_activities",
    "save_affiliates",
    "save_application_rows",
    "save_criminal_declarations",
    "save_party_rows",
    "save_persons",
    "submit_draft",
    "update_party",
    "upload_document",
]


class DraftIncomplete(DomainError):
    default_message = _("The application is not complete yet.")

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__()


def _guard(*, party: Party, application: Application | None, by: Any) -> Application | None:
    """The object permission on the party, and a draft that is still a draft (locked)."""
    if not by.has_perm("licensing.act_for_party", party):
        raise PermissionDenied()
    if application is None:
        return None
    current = locked(Application, application.pk)
    if current.party_id != party.pk:
        raise PermissionDenied()
    if current.state != ApplicationState.DRAFT:
        raise TransitionNotAllowed(_("Only a draft can be changed."))
    return current


def _full_clean(obj: models.Model, exclude: Iterable[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude))


def _step_event(subject: models.Model, *, by: Any, step: str, **changes: Any) -> None:
    record_event(subject, verb=Verb.EDITED, by=by, changes={"step": step, **changes})


def _end(rows: Iterable[models.Model]) -> int:
    """Art. 9.5(a): a removed record is ended now and kept. Returns how many were current."""
    now = timezone.now()
    return sum(
        type(row)
        ._default_manager.filter(pk=row.pk, ended_at__isnull=True)
        .update(ended_at=now, updated_at=now)
        for row in rows
        if row.pk
    )


@transaction.atomic
def create_party(*, kind: str, fields: dict[str, Any], by: Any) -> Party:
    """Step (b), first save: any portal user files for a new applicant. The user becomes able
    to act for it (the one way applicants act for parties)."""
    if not by.is_authenticated:
        raise PermissionDenied()
    if kind not in PartyKind.values:
        raise TransitionNotAllowed(_("Choose the type of applicant."))
    party = Party(kind=kind, **fields)
    _full_clean(party)
    party.save()
    personal = set(Party.personal_data_fields)
    record_event(
        party,
        verb=Verb.CREATED,
        by=by,
        changes={k: PERSONAL if k in personal else plain(v) for k, v in fields.items()},
    )
    assign_perm("licensing.act_for_party", by, party)
    record_event(party, verb=Verb.ACCESS_GRANTED, by=by, changes={"user": by.get_username()})
    return party


@transaction.atomic
def update_party(
    *, party: Party, application: Application | None, fields: dict[str, Any], by: Any
) -> Party:
    """Step (b) again: the applicant corrects its identity (Art. 6.3(b)(i)-(ii))."""
    _guard(party=party, application=application, by=by)
    party = locked(Party, party.pk)
    changed = {k: v for k, v in fields.items() if getattr(party, k) != v}
    for name, value in changed.items():
        setattr(party, name, value)
    _full_clean(party)
    if changed:
        party.save()
        personal = set(Party.personal_data_fields)
        record_event(
            party,
            verb=Verb.EDITED,
            by=by,
            changes={k: PERSONAL if k in personal else plain(v) for k, v in changed.items()},
        )
    return party


@transaction.atomic
def save_party_rows(
    *,
    party: Party,
    application: Application | None,
    rows: list[models.Model],
    step: str,
    by: Any,
    removed: Sequence[models.Model] = (),
) -> None:
    """Records that belong to the party (tax registrations, bank accounts): each row is saved
    for this party, all of them or none. The ``removed`` ones are ended first, so that a tax
    number for the country of a removed one may be given in the same step."""
    _guard(party=party, application=application, by=by)
    for row in [*rows, *removed]:
        if not row._state.adding and getattr(row, "party_id", None) != party.pk:
            raise PermissionDenied()
    ended = _end(removed)
    for row in rows:
        row.party = party  # type: ignore[attr-defined]
        _full_clean(row)
        row.save()
    if rows or ended:
        _step_event(party, by=by, step=step, records=len(rows), removed=ended)


@transaction.atomic
def save_affiliates(
    *,
    party: Party,
    application: Application | None,
    rows: list[dict[str, Any]],
    by: Any,
    removed: Sequence[CorporateAffiliation] = (),
) -> None:
    """Art. 6.3(b)(ii): corporate affiliates. Each names another party by name, registration
    number and country: an existing party with that number is linked, otherwise a record of the
    affiliate is made (the applicant does not act for it). The ``removed`` affiliations of the
    party are ended (the affiliate's record is another party's and stays as it is)."""
    _guard(party=party, application=application, by=by)
    if any(link.party_id != party.pk for link in removed):
        raise PermissionDenied()
    ended = _end(removed)
    for row in rows:
        affiliate = Party.objects.filter(
            registration_number=row["registration_number"], country=row["country"]
        ).first()
        if affiliate is None:
            # A record of another company named by the applicant: only what it told us, so
            # the full Art. 6.3(b)(ii) check of an applicant does not apply to it.
            affiliate = Party(
                kind=PartyKind.LEGAL,
                legal_name=row["name"],
                registration_number=row["registration_number"],
                country=row["country"],
            )
            affiliate.clean_fields(
                exclude=[
                    field.name
                    for field in Party._meta.fields
                    if field.name not in ("legal_name", "registration_number", "country")
                ]
            )
            affiliate.save()
            record_event(affiliate, verb=Verb.CREATED, by=by, changes={"named_by": party.pk})
        if affiliate.pk == party.pk:
            raise ValidationError(_("A party cannot be its own affiliate."))
        link, _created = CorporateAffiliation.objects.current().get_or_create(
            party=party, affiliate=affiliate, defaults={"relationship": row["relationship"]}
        )
        if link.relationship != row["relationship"]:
            link.relationship = row["relationship"]
            link.save(update_fields=["relationship", "updated_at"])
    if rows or ended:
        _step_event(party, by=by, step="affiliates", records=len(rows), removed=ended)


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
    _guard(party=party, application=application, by=by)
    for person in [*persons, *removed]:
        if not person._state.adding and person.party_id != party.pk:
            raise PermissionDenied()
    for person in persons:
        person.party = party
        _full_clean(person)
        person.save()
    today = timezone.localdate()
    for person in removed:
        if person.pk:
            Person.objects.filter(pk=person.pk).update(
                active_until=today, updated_at=timezone.now()
            )
    _step_event(party, by=by, step="persons", records=len(persons), removed=len(removed))


@transaction.atomic
def save_activities(
    *, party: Party, application: Application | None, activities: list[str], by: Any
) -> Application:
    """Step (c), Art. 6.1 and 6.2. The first save creates the draft application."""
    current = _guard(party=party, application=application, by=by)
    if current is None:
        existing = Application.objects.filter(
            party=party, kind=ApplicationKind.NEW, state=ApplicationState.DRAFT
        ).first()
        if existing is None:
            return application_services.create_application(
                party=party, kind=ApplicationKind.NEW, activities=activities, by=by
            )
        current = locked(Application, existing.pk)
    if current.activities != activities:
        current.activities = activities
        current.full_clean(exclude=["state"])
        current.save(update_fields=["activities", "updated_at"])
        record_event(current, verb=Verb.EDITED, by=by, changes={"activities": activities})
    return current


@transaction.atomic
def save_application_rows(
    *,
    application: Application,
    rows: list[models.Model],
    step: str,
    by: Any,
    removed: Sequence[models.Model] = (),
) -> None:
    """Records of a draft: sites and products (the party's, linked to the draft), production
    capacities (of the draft's sites), declared machines and market declarations (the draft's).
    Removing a site or product unlinks it from the draft; removing a market declaration ends
    it. The record is kept either way (Art. 9.5(a))."""
    from licensing.models.portal import DeclaredMachine
    from licensing.models.sites import Product, ProductionCapacity, Site

    party = application.party
    current = _guard(party=party, application=application, by=by)
    assert current is not None  # noqa: S101 - _guard returns the draft it was given
    site_ids = set(current.sites.values_list("pk", flat=True))
    for row in [*rows, *removed]:
        adding = row._state.adding
        if isinstance(row, Site | Product):
            if not adding and row.party_id != party.pk:
                raise PermissionDenied()
            row.party = party
        elif isinstance(row, ProductionCapacity):
            if row.site_id not in site_ids:
                raise PermissionDenied()
        elif isinstance(row, DeclaredMachine):
            if not adding and row.application_id != current.pk:
                raise PermissionDenied()
            if row.site_id not in site_ids:
                raise PermissionDenied()
            row.application = current
        elif not adding and row.application_id != current.pk:  # type: ignore[attr-defined]
            raise PermissionDenied()
        else:
            row.application = current  # type: ignore[attr-defined]
    for row in removed:
        if isinstance(row, Site):
            current.sites.remove(row)
        elif isinstance(row, Product):
            current.products.remove(row)
        elif isinstance(row, MarketDeclaration):
            _end([row])
    for row in rows:
        _full_clean(row)
        row.save()
        if isinstance(row, Site):
            current.sites.add(row)
        elif isinstance(row, Product):
            current.products.add(row)
    _step_event(current, by=by, step=step, records=len(rows), removed=len(removed))


@transaction.atomic
def save_criminal_declarations(
    *, application: Application, declarations: list[dict[str, Any]], by: Any
) -> None:
    """Art. 6.3(b)(vi): a declaration for the party and for each director and legal
    representative, each with an optional document ("documentation or a declaration"). A new
    declaration is recorded each time; the latest counts. An upload refused by
    ``store_document`` rolls the whole step back."""
    party = application.party
    current = _guard(party=party, application=application, by=by)
    for index, item in enumerate(declarations):
        person = item.get("person")
        if person is not None and person.party_id != party.pk:
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
        _full_clean(declaration)
        declaration.save()
    _step_event(party, by=by, step="criminal_records", records=len(declarations))


@transaction.atomic
def upload_document(*, application: Application, kind: str, upload: Any, by: Any) -> Document:
    """Articles of incorporation (Art. 6.3(b)(ii)) and other documents for the draft."""
    current = _guard(party=application.party, application=application, by=by)
    return store_document(
        party=application.party, upload=upload, kind=kind, by=by, application=current
    )


@transaction.atomic
def submit_draft(*, application: Application, declared: bool, by: Any) -> Application:
    """Step (j): the applicant declares the information true and complete (Art. 14.1(i)) and
    submits. Refused, with the list of what is missing, while a required item is missing."""
    current = _guard(party=application.party, application=application, by=by)
    assert current is not None  # noqa: S101 - _guard returns the draft it was given
    problems = draft_problems(current)
    if not declared:
        problems.append(Problem("check", _("Declare that the information is true and complete.")))
    if problems:
        raise DraftIncomplete(problems)
    application_services.accept_declaration(application_id=current.pk, by=by)
    return application_services.submit_application(application_id=current.pk, by=by)
