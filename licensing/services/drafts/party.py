"""Steps (b) of a filing: who is applying (Art. 6.3(b)(i)-(ii)), its tax registration numbers
and its corporate affiliates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm

from licensing.exceptions import PermissionDenied, TransitionNotAllowed
from licensing.models.applications import Application
from licensing.models.audit import Verb
from licensing.models.parties import CorporateAffiliation, Party, PartyKind, TaxRegistration
from licensing.services import draft_records
from licensing.services.audit import record_event
from licensing.services.common import locked
from licensing.services.drafts.common import (
    event_subject,
    full_clean,
    guard,
    save_owned_rows,
    save_owned_step,
    step_event,
)
from licensing.services.proposals import direct, propose_party_fields, propose_row
from licensing.services.records import PERSONAL, plain


def _recorded(fields: dict[str, Any]) -> dict[str, Any]:
    # Art. 5: the trail says that personal fields changed, never their values.
    personal = set(Party.personal_data_fields)
    return {k: PERSONAL if k in personal else plain(v) for k, v in fields.items()}


@transaction.atomic
def create_party(*, kind: str, fields: dict[str, Any], by: Any) -> Party:
    """Step (b), first save: any portal user files for a new applicant, proposed until its first
    approval. The user becomes able to act for it (the one way applicants act for parties)."""
    if not by.is_authenticated:
        raise PermissionDenied()
    if kind not in PartyKind.values:
        raise TransitionNotAllowed(_("Choose the type of applicant."))
    # The language the applicant files in is the language of what the authority sends it.
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    party = Party(kind=kind, **{"preferred_language": language, **fields})
    full_clean(party)
    party.save()
    record_event(party, verb=Verb.CREATED, by=by, changes=_recorded(fields))
    assign_perm("licensing.act_for_party", by, party)
    record_event(party, verb=Verb.ACCESS_GRANTED, by=by, changes={"user": by.get_username()})
    return party


@transaction.atomic
def update_party(
    *, party: Party, application: Application | None, fields: dict[str, Any], by: Any
) -> Party:
    """Step (b) again: the applicant corrects its identity (Art. 6.3(b)(i)-(ii)). For a party the
    authority has approved, the change is the draft's proposal (Art. 6.3(g)): the party itself is
    untouched until approval. Returns the party as the draft now proposes it."""
    current = guard(party=party, application=application, by=by)
    party = locked(Party, party.pk)
    if current is None or direct(party):
        changed = {k: v for k, v in fields.items() if getattr(party, k) != v}
        for name, value in changed.items():
            setattr(party, name, value)
        full_clean(party)
        if changed:
            party.save()
            record_event(party, verb=Verb.EDITED, by=by, changes=_recorded(changed))
        return party
    touched = propose_party_fields(party=party, application=current, fields=fields)
    proposed = draft_records.party(party, current)
    full_clean(proposed, exclude=["affiliates"])
    if touched:
        current.save(update_fields=["party_changes", "updated_at"])
        step_event(current, by=by, step="identity", proposed=_recorded(touched))
    return proposed


@transaction.atomic
def save_tax_registrations(
    *,
    party: Party,
    application: Application | None,
    rows: list[TaxRegistration],
    by: Any,
    removed: Sequence[TaxRegistration] = (),
) -> None:
    """Art. 6.3(b)(i)-(ii): tax registration numbers, one current per country."""
    save_owned_step(
        step="tax", party=party, application=application, rows=rows, removed=removed, by=by
    )


def _affiliate(row: dict[str, Any], party: Party, by: Any) -> Party:
    """The company named as an affiliate: an existing party with that registration number, or
    a record of it made now (proposed, like every party until approved; the applicant does not
    act for it)."""
    affiliate = Party.objects.filter(
        registration_number=row["registration_number"], country=row["country"]
    ).first()
    if affiliate is None:
        # Only what the applicant told us, so the full Art. 6.3(b)(ii) check of an applicant
        # does not apply to it.
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
    return affiliate


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
    affiliate is made. The ``removed`` affiliations of the party are ended (the affiliate's
    record is another party's and stays as it is)."""
    current = guard(party=party, application=application, by=by)
    _saved, ended = save_owned_rows(party=party, application=current, rows=[], removed=removed)
    for row in rows:
        affiliate = _affiliate(row, party, by)
        links = draft_records.affiliations(party, current).filter(affiliate=affiliate)
        link = links.first() or CorporateAffiliation(party=party, affiliate=affiliate)
        link.relationship = row["relationship"]
        propose_row(link, party=party, application=current, clean=full_clean)
    if rows or ended:
        step_event(
            event_subject(party, current),
            by=by,
            step="affiliates",
            records=len(rows),
            removed=ended,
        )


__all__ = ["create_party", "save_affiliates", "save_tax_registrations", "update_party"]
