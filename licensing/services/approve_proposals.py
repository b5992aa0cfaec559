"""Making an application's proposal the current records (licensing.models.versions), inside the
approval's transaction or, for a change notified in advance (Art. 6.3(g)), on its date.

``apply_proposal`` refuses a proposal made against a version that is no longer current
(``StaleRecords``), so two applications of the same party never overwrite each other silently;
the officer reviews it again (``rebase_proposal``) and approves then."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed
from licensing.models.applications import (
    OPEN_STATES,
    Application,
    ApplicationKind,
    ApplicationState,
    MarketDeclaration,
)
from licensing.models.audit import AuditEvent, Verb
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
from licensing.models.versions import RecordSource
from licensing.services import licences as licence_services
from licensing.services.audit import record_event
from licensing.services.common import locked
from licensing.services.identifiers import write_corrections
from licensing.services.proposals import REGULATED, direct, party_field, unlink
from licensing.services.versions import content_fields, same_content, write_version

logger = logging.getLogger(__name__)


class StaleRecords(DomainError):
    default_message = _(
        "The applicant's records changed since this application proposed its changes. Review "
        "the proposed changes again before approving."
    )


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


def _linked(application: Application) -> set[tuple[type, int]]:
    """The sites and products the draft names: one it proposed and then removed is left out."""
    sites = Application.sites.through.objects.filter(application=application)
    products = Application.products.through.objects.filter(application=application)
    return {(Site, pk) for pk in sites.values_list("site_id", flat=True)} | {
        (Product, pk) for pk in products.values_list("product_id", flat=True)
    }


def _apply_rows(application: Application, when: dt.datetime, by: Any) -> int:
    applied = 0
    linked = _linked(application)
    for model in REGULATED:
        proposals = model.with_proposals.select_for_update().filter(proposed_in=application)
        for proposal in proposals.order_by("pk"):
            if isinstance(proposal, Site | Product) and (type(proposal), proposal.pk) not in linked:
                continue  # proposed, then removed from the draft
            if isinstance(proposal, ProductionCapacity) and proposal.site.proposed_in_id:
                if (Site, proposal.site_id) not in linked:
                    continue  # a capacity of a site removed from the draft
                if proposal.site.replaces_id:
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
            if original.version != proposal.base_version:
                # Changed since the check, by a write that does not take the party's lock (an
                # officer's correction in the admin): refused all the same, never overwritten.
                raise StaleRecords()
            if isinstance(proposal, Site):
                unlink(application, proposal)
                application.sites.add(original)
                _repoint(DeclaredMachine, "site", proposal.pk, original.pk)
            elif isinstance(proposal, Product):
                unlink(application, proposal)
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
    if not first:
        # Reg. 2018/574 Art. 14(5), 16(4): the registry learns the approved particulars.
        write_corrections(party=party)
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


def rebase_blockers(application: Application, by: Any) -> list[DomainError]:
    """Why ``rebase_proposal`` may not run: the one list the service raises from and the admin
    draws its button from."""
    if not by.has_perm("licensing.review_application"):
        return [PermissionDenied()]
    if application.changes_applied_at is not None or not stale_items(application):
        return [TransitionNotAllowed(_("The proposed changes are not stale."))]
    return []


def rebase_proposal(*, application: Application, by: Any) -> None:
    """Licence officers. The officer has reviewed the proposed changes against the records as
    they now stand: the proposal is taken as made against the current versions."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    found = rebase_blockers(application, by)
    if found:
        raise found[0]
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


def takes_effect_later(application: Application, today: dt.date | None = None) -> bool:
    """A change of information whose effective date is still to come (Art. 6.3(g))."""
    today = today or timezone.localdate()
    return (
        application.kind == ApplicationKind.CHANGE
        and application.effective_on is not None
        and application.effective_on > today
    )


@transaction.atomic
def apply_change_on_date(*, application_id: int, today: dt.date | None = None) -> bool:
    """Art. 6.3(g): an approved change whose date has come becomes the current record, exactly
    once (the row is locked and ``changes_applied_at`` says it ran). In the approving officer's
    name. Returns whether it applied now."""
    application = locked(Application, application_id)
    if (
        application.state != ApplicationState.APPROVED
        or application.changes_applied_at is not None
        or takes_effect_later(application, today)
    ):
        return False
    approved = (
        AuditEvent.objects.for_object(application)
        .filter(verb=Verb.APPROVED)
        .order_by("-pk")
        .first()
    )
    by = approved.actor if approved else None
    apply_proposal(application=application, by=by)
    licence_services.apply_change(application=application, by=by)
    return True


def apply_due_changes(*, today: dt.date | None = None) -> int:
    """The beat job: every approved change whose date has come, each in its own transaction so
    that one refused (its records changed meanwhile) leaves the others to apply."""
    today = today or timezone.localdate()
    # A range of the partial index ``application_change_due``: only changes still to apply.
    due = (
        Application.objects.filter(
            kind=ApplicationKind.CHANGE,
            state=ApplicationState.APPROVED,
            changes_applied_at__isnull=True,
            effective_on__lte=today,
        )
        .order_by("effective_on", "pk")
        .values_list("pk", flat=True)
    )
    applied = 0
    for pk in list(due):
        try:
            applied += apply_change_on_date(application_id=pk, today=today)
        except DomainError as exc:
            # Stale: the officers review the changes again on the application; the next run
            # applies it then.
            logger.warning("change %s not applied: %s", pk, exc)
    return applied


__all__ = [
    "StaleRecords",
    "apply_change_on_date",
    "apply_due_changes",
    "apply_proposal",
    "proposal_gate",
    "rebase_blockers",
    "rebase_proposal",
    "stale_items",
    "takes_effect_later",
]
