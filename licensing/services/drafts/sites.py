"""Where and what: the draft's sites (Art. 6.3(b)(iii)), their production capacity, products
(Art. 6.3(b)(iv)), manufacturing equipment (Art. 6.3(b)(iv)-(v)) and markets (Art.
6.3(b)(viii))."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models, transaction

from licensing.exceptions import PermissionDenied
from licensing.models.applications import Application, MarketDeclaration
from licensing.models.parties import Party
from licensing.models.portal import DeclaredMachine
from licensing.models.sites import Product, ProductionCapacity, Site
from licensing.services import draft_records
from licensing.services.drafts.common import end_now, full_clean, guard, step_event
from licensing.services.proposals import fork_site_capacities, propose_row, unlink


def _check_owner(
    row: models.Model, *, party: Party, application: Application, site_ids: set[int]
) -> None:
    """A row of the page must be the draft's, or the party's to link (never another's)."""
    adding = row._state.adding
    if isinstance(row, Site | Product):
        if not adding and row.party_id != party.pk:
            raise PermissionDenied()
        row.party = party
    elif isinstance(row, ProductionCapacity):
        if row.site_id not in site_ids:
            raise PermissionDenied()
    elif isinstance(row, DeclaredMachine):
        if not adding and row.application_id != application.pk:
            raise PermissionDenied()
        if row.site_id not in site_ids:
            raise PermissionDenied()
        row.application = application
    elif not adding and row.application_id != application.pk:  # type: ignore[attr-defined]
        raise PermissionDenied()
    else:
        row.application = application  # type: ignore[attr-defined]


def _link(application: Application, row: Any, saved: Any) -> None:
    """The draft names the site or product it proposes: the approved one while unchanged, its
    proposal once changed."""
    related: Any = application.sites if isinstance(row, Site) else application.products
    if saved is None:
        related.add(row)
        return
    if saved.replaces_id is not None:
        unlink(application, type(saved).with_proposals.get(pk=saved.replaces_id))
        forked = ProductionCapacity.with_proposals.filter(site=saved).exists()
        if isinstance(saved, Site) and not forked:
            fork_site_capacities(saved, saved.replaces_id, application)
    related.add(saved)


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
    Sites, products and capacities of a licensed party are proposed (licensing.services.
    proposals); machines and markets belong to the draft itself. Removing a site or product
    unlinks it from the draft; removing a market declaration ends it. The record is kept either
    way (Art. 9.5(a))."""
    party = application.party
    current = guard(party=party, application=application, by=by)
    assert current is not None  # noqa: S101 - guard returns the draft it was given
    site_ids = set(draft_records.sites(current).values_list("pk", flat=True))
    for row in [*rows, *removed]:
        _check_owner(row, party=party, application=current, site_ids=site_ids)
    for row in removed:
        if isinstance(row, Site | Product):
            unlink(current, row)
        elif isinstance(row, MarketDeclaration) and row.ended_at is None:
            end_now(row)
            MarketDeclaration.objects.filter(pk=row.pk).update(ended_at=row.ended_at)
    for row in rows:
        if isinstance(row, Site | Product | ProductionCapacity):
            saved = propose_row(row, party=party, application=current, clean=full_clean)
            if isinstance(row, Site | Product):
                _link(current, row, saved)
        else:
            full_clean(row)
            row.save()
    step_event(current, by=by, step=step, records=len(rows), removed=len(removed))


__all__ = ["save_application_rows"]
