"""What a draft proposes, and how an approval makes it current (licensing.models.versions).

Writing (the draft services call these): ``propose_party_fields`` keeps the applicant's own
fields in ``Application.party_changes``; ``propose_rows`` writes proposal rows for the party's
other records. A party that has never been approved is itself a proposal: both write straight
into its records.

Reading: ``draft_party`` is the party as the draft proposes it; ``working_rows`` the rows of one
kind as the draft proposes them.

Approving: ``apply_proposal`` runs inside the approval's transaction. It refuses a proposal made
against a version that is no longer current (``StaleRecords``), so two applications of the same
party never overwrite each other silently; the officer reviews again (``rebase_proposal``)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, cast

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed
from licensing.models.applications import OPEN_STATES, Application, MarketDeclaration
from licensing.models.audit import Verb
from licensing.models.parties import (
    BankAccount,
    CorporateAffiliation,
    CriminalRecordDeclaration,
    Party,
    Person,
    TaxRegistration,
)
from licensing.models.portal import DeclaredMachine
from licensing.models.sites import Product, ProductionCapacity, Site
from licensing.models.versions import RecordSource, Regulated
from licensing.services.audit import record_event
from licensing.services.versions import content_fields, same_content, write_version

# In the order approval applies them: a capacity follows its site.
REGULATED: tuple[type[Regulated], ...] = (
    TaxRegistration,
    BankAccount,
    CorporateAffiliation,
    Person,
    Site,
    ProductionCapacity,
    Product,
)


class StaleRecords(DomainError):
    default_message = _(
        "The applicant's records changed since this application proposed its changes. Review "
        "the proposed changes again before approving."
    )


def party_field(name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", Party._meta.get_field(name))


def direct(party: Party) -> bool:
    """A party the authority has never approved is a proposal as a whole: its draft writes its
    records directly, and they become current with its first approval."""
    return party.approved_at is None


# -- the party's own fields ------------------------------------------------------------------


def draft_party(party: Party, application: Application | None) -> Party:
    """The party with the draft's proposed values (an unsaved copy; the party itself when
    nothing is proposed)."""
    fields = (application.party_changes or {}).get("fields") if application else None
    if not fields:
        return party
    view = copy.copy(party)
    view._state = copy.copy(party._state)
    for name, value in fields.items():
        field = party_field(name)
        setattr(view, field.attname, field.to_python(value))
    return view


def propose_party_fields(
    *, party: Party, application: Application, fields: dict[str, Any]
) -> dict[str, Any]:
    """Keep the party's changed fields as the draft's proposal. A field set back to its approved
    value is no longer proposed. Returns the fields whose proposal changed."""
    proposal = dict(application.party_changes or {})
    proposed = dict(proposal.get("fields", {}))
    touched: dict[str, Any] = {}
    for name, value in fields.items():
        field = party_field(name)
        prepared = field.get_prep_value(value)
        if prepared == field.get_prep_value(getattr(party, field.attname)):
            if name in proposed:
                touched[name] = value
            proposed.pop(name, None)
        elif proposed.get(name, object()) != prepared:
            proposed[name] = prepared
            touched[name] = value
    if proposed:
        application.party_changes = {
            "base_version": proposal.get("base_version", party.version),
            "fields": proposed,
        }
    else:
        application.party_changes = {}
    return touched


# -- the party's other records ---------------------------------------------------------------


def working_rows(queryset: Any, application: Application | None) -> Any:
    """Rows of one kind as the draft proposes them: the approved rows that no proposal of the
    draft replaces, and the draft's own proposals. ``queryset`` is built on ``with_proposals``."""
    if application is None:
        return queryset.filter(proposed_in__isnull=True)
    replaced = queryset.model.with_proposals.filter(
        proposed_in=application, replaces__isnull=False
    ).values("replaces")
    return queryset.filter(
        (Q(proposed_in__isnull=True) & ~Q(pk__in=replaced)) | Q(proposed_in=application)
    )


def _fork(row: Regulated, application: Application) -> Regulated:
    """A proposal row holding ``row``'s (edited) values, in place of the approved row: the
    draft's existing proposal for it, if it has one (never two proposals for one record)."""
    original = type(row).with_proposals.get(pk=row.pk)
    existing = type(row).with_proposals.filter(
        proposed_in=application, replaces_id=original.pk
    ).first()
    if existing is not None:
        for field in content_fields(type(row)):
            setattr(existing, field.attname, getattr(row, field.attname))
        return existing
    row.replaces_id = original.pk  # type: ignore[attr-defined]
    row.base_version = original.version
    row.version = original.version
    row.proposed_in = application
    row.pk = None
    row._state.adding = True
    return row


def propose_row(
    row: Regulated,
    *,
    party: Party,
    application: Application | None,
    clean: Callable[[models.Model], None],
) -> Regulated | None:
    """Save one row the draft entered or edited. Returns the row saved (a proposal row when the
    approved one was changed), or None when an approved row was left as it is."""
    if direct(party) or application is None:
        clean(row)
        row.save()
        return row
    if row._state.adding:
        row.proposed_in = application
    elif row.proposed_in_id is None:
        original = type(row).with_proposals.get(pk=row.pk)
        if same_content(row, original):
            return None
        row = _fork(row, application)
    elif row.proposed_in_id != application.pk:
        raise PermissionDenied()
    clean(row)
    row.save()
    return row


def propose_end(
    row: Regulated, *, party: Party, application: Application | None, end: Callable[[Any], None]
) -> Regulated:
    """End a row in the draft: directly for a party not yet approved and for the draft's own
    proposal; otherwise as a proposal row that ends the approved one. Values edited on the
    page of a removed row are not kept."""
    fresh = type(row).with_proposals.get(pk=row.pk)
    if fresh.proposed_in_id is None and not (direct(party) or application is None):
        fresh = _fork(fresh, application)
    elif fresh.proposed_in_id not in (None, getattr(application, "pk", None)):
        raise PermissionDenied()
    end(fresh)
    fresh.save()
    return fresh


def fork_site_capacities(site: Site, copy_of: int, application: Application) -> None:
    """A site proposed anew keeps the approved site's capacities, as proposals of its own."""
    for capacity in ProductionCapacity.objects.filter(site_id=copy_of):
        forked = _fork(capacity, application)
        forked.site = site  # type: ignore[attr-defined]
        forked.save()


# -- approval --------------------------------------------------------------------------------


def _ended(row: Any) -> bool:
    return getattr(row, "ended_at", None) is not None


def stale_items(application: Application) -> list[str]:
    """The proposals made against a version that is no longer the current one."""
    stale: list[str] = []
    base = (application.party_changes or {}).get("base_version")
    if base is not None and base != Party.objects.values_list("version", flat=True).get(
        pk=application.party_id
    ):
        stale.append(str(application.party))
    for model in REGULATED:
        proposals = model.with_proposals.filter(
            proposed_in=application, replaces__isnull=False
        ).select_related("replaces")
        stale.extend(str(p) for p in proposals if p.replaces.version != p.base_version)
    return stale


def proposal_gate(application: Application) -> list[DomainError]:
    """The approval's gate (``licensing.gates``): refused while the proposal is stale."""
    if application.changes_applied_at is not None or application.state not in OPEN_STATES:
        return []
    return [StaleRecords()] if stale_items(application) else []


def _apply_party(party: Party, application: Application, when: dt.datetime, by: Any) -> bool:
    fields = (application.party_changes or {}).get("fields") or {}
    if not fields:
        return False
    for name, value in fields.items():
        field = party_field(name)
        setattr(party, field.attname, field.to_python(value))
    party.full_clean(exclude=["affiliates"])
    party.version += 1
    party.save()
    write_version(party, when=when, source=RecordSource.APPLICATION, by=by, application=application)
    return True


def _repoint(model: type[models.Model], field: str, old: Any, new: Any) -> None:
    model._base_manager.filter(**{f"{field}_id": old}).update(**{f"{field}_id": new})


def _apply_rows(application: Application, when: dt.datetime, by: Any) -> int:
    applied = 0
    for model in REGULATED:
        proposals = model.with_proposals.select_for_update().filter(proposed_in=application)
        for proposal in proposals.order_by("pk"):
            if isinstance(proposal, ProductionCapacity) and proposal.site.replaces_id:
                proposal.site_id = proposal.site.replaces_id
            if proposal.replaces_id is None:
                if _ended(proposal):
                    continue  # proposed, then withdrawn within the draft
                proposal.proposed_in = None
                proposal.full_clean()
                proposal.save()
                write_version(
                    proposal,
                    when=when,
                    source=RecordSource.APPLICATION,
                    by=by,
                    application=application,
                )
                applied += 1
                continue
            original = model.with_proposals.select_for_update().get(pk=proposal.replaces_id)
            if isinstance(proposal, Site):
                application.sites.remove(proposal)
                application.sites.add(original)
                _repoint(DeclaredMachine, "site", proposal.pk, original.pk)
            elif isinstance(proposal, Product):
                application.products.remove(proposal)
                application.products.add(original)
            elif isinstance(proposal, Person):
                _repoint(CriminalRecordDeclaration, "person", proposal.pk, original.pk)
            if same_content(proposal, original):
                continue
            for field in content_fields(model):
                setattr(original, field.attname, getattr(proposal, field.attname))
            original.version += 1
            original.full_clean()
            original.save()
            write_version(
                original,
                when=when,
                source=RecordSource.APPLICATION,
                by=by,
                application=application,
                ended=_ended(original),
            )
            applied += 1
    return applied


def _version_application_records(application: Application, when: dt.datetime, by: Any) -> None:
    """Market declarations and declared machines belong to the application: the approved ones
    are versioned as they stand."""
    for row in [
        *MarketDeclaration.objects.filter(application=application).current(),
        *DeclaredMachine.objects.filter(application=application),
    ]:
        write_version(
            row,
            when=when,
            source=RecordSource.APPLICATION,
            by=by,
            application=application,
            party_id=application.party_id,
        )


def apply_proposal(
    *, application: Application, by: Any, when: dt.datetime | None = None, audit: bool = True
) -> bool:
    """Make the application's proposal the current records, inside the caller's transaction
    (the approval, or the job that applies a change on its effective date, Art. 6.3(g)). Runs
    once: an application whose changes were applied is left as it is. Returns whether it ran.
    ``audit=False`` where the caller's own event (the approval) tells of it."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.changes_applied_at is not None:
        return False
    when = when or timezone.now()
    # The party's row is the lock every approval of its records takes first: staleness is
    # judged after it, against what a concurrent approval has committed.
    party = Party.objects.select_for_update().get(pk=application.party_id)
    if stale_items(application):
        raise StaleRecords()
    first = direct(party)
    changed = _apply_party(party, application, when, by)
    applied = _apply_rows(application, when, by)
    if first:
        # A party's first approval makes it, and every record it filed, current together.
        party.approved_at = when
        party.save(update_fields=["approved_at", "updated_at"])
        for row in [party, *_rows_of(party)]:
            write_version(
                row, when=when, source=RecordSource.APPLICATION, by=by, application=application
            )
    _version_application_records(application, when, by)
    application.changes_applied_at = when
    application.save(update_fields=["changes_applied_at", "updated_at"])
    if not audit:
        return True  # the approval's own event tells of it; the versions name the application
    record_event(
        application,
        verb=Verb.RECORDS_APPROVED,
        by=by,
        changes={"party": changed, "records": applied, "first_approval": first},
    )
    return True


def _rows_of(party: Party) -> Iterable[models.Model]:
    yield from TaxRegistration.objects.filter(party=party)
    yield from BankAccount.objects.filter(party=party)
    yield from CorporateAffiliation.objects.filter(party=party)
    yield from Person.objects.filter(party=party)
    yield from Site.objects.filter(party=party)
    yield from ProductionCapacity.objects.filter(site__party=party)
    yield from Product.objects.filter(party=party)


def rebase_proposal(*, application: Application, by: Any) -> None:
    """Licence officers. The officer has reviewed the proposed changes against the records as
    they now stand: the proposal is taken as made against the current versions."""
    if not by.has_perm("licensing.review_application"):
        raise PermissionDenied()
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.changes_applied_at is not None or not stale_items(application):
        raise TransitionNotAllowed(_("The proposed changes are not stale."))
    if application.party_changes:
        application.party_changes = {
            **application.party_changes,
            "base_version": Party.objects.get(pk=application.party_id).version,
        }
        application.save(update_fields=["party_changes", "updated_at"])
    for model in REGULATED:
        for proposal in model.with_proposals.filter(
            proposed_in=application, replaces__isnull=False
        ).select_related("replaces"):
            if proposal.base_version != proposal.replaces.version:
                model._base_manager.filter(pk=proposal.pk).update(
                    base_version=proposal.replaces.version
                )
    record_event(application, verb=Verb.PROPOSAL_REVIEWED, by=by)


__all__ = [
    "REGULATED",
    "StaleRecords",
    "apply_proposal",
    "direct",
    "draft_party",
    "fork_site_capacities",
    "proposal_gate",
    "propose_end",
    "propose_party_fields",
    "propose_row",
    "rebase_proposal",
    "stale_items",
    "working_rows",
]
