"""What a draft proposes, and how an approval makes it current (licensing.models.versions).

Writing (the draft services call these): ``propose_party_fields`` keeps the applicant's own
fields in ``Application.party_changes``; ``propose_rows`` writes proposal rows for the party's
other records. A party that has never been approved is itself a proposal: both write straight
into its records.

Reading: ``draft_party`` is the party as the draft proposes it; ``working_rows`` the rows of one
kind as the draft proposes them.

Approving is ``licensing.services.approve_proposals``."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, cast

from django.db import models
from django.db.models import Q

from licensing.exceptions import PermissionDenied
from licensing.models.applications import Application
from licensing.models.parties import (
    BankAccount,
    CorporateAffiliation,
    Party,
    Person,
    TaxRegistration,
)
from licensing.models.sites import Product, ProductionCapacity, Site
from licensing.models.versions import Regulated
from licensing.services.versions import content_fields, same_content

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
    existing = (
        type(row).with_proposals.filter(proposed_in=application, replaces_id=original.pk).first()
    )
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


def unlink(application: Application, row: Site | Product) -> None:
    """Take a site or product out of the draft. Through the link table: Django's ``remove``
    looks the rows up with the default manager, which never finds a proposal."""
    if isinstance(row, Site):
        Application.sites.through.objects.filter(application=application, site=row).delete()
    else:
        Application.products.through.objects.filter(application=application, product=row).delete()


def fork_site_capacities(site: Site, copy_of: int, application: Application) -> None:
    """A site proposed anew keeps the approved site's capacities, as proposals of its own."""
    for capacity in ProductionCapacity.objects.filter(site_id=copy_of):
        forked = _fork(capacity, application)
        forked.site = site  # type: ignore[attr-defined]
        forked.save()


__all__ = [
    "REGULATED",
    "direct",
    "draft_party",
    "fork_site_capacities",
    "party_field",
    "propose_end",
    "propose_party_fields",
    "propose_row",
    "unlink",
    "working_rows",
]
