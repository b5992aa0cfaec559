"""Reading proposals and versions as changes a person can check: field, old value, new value.

``proposed_changes(application, user)``: what an application proposes against the records as
they stand (the officer's "Changes proposed" box, the holder's pending changes in the portal).
``party_history(party, user)``: every approved version of a party's records, each with what it
changed (the party's History box). Personal data (Art. 5) is masked for a user without the
view permission of the record that holds it; in the History box, identity document and bank
account numbers are masked for everyone (their current values are revealed, and the read
recorded, from the party's page: licensing/admin/personal_data.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from licensing.models.applications import Application
from licensing.models.parties import CorporateAffiliation, Party
from licensing.models.versions import RecordVersion
from licensing.services.personal_data import mask
from licensing.services.proposals import REGULATED, direct, draft_party
from licensing.services.versions import content_fields, instance_from

MASKED = _("(personal data)")
# Art. 5: numbers shown by their last four characters only in the History box.
NUMBERS = {"identity_document_number", "iban", "account_number"}
# Links of a record to its owner: not a change anyone enters.
OWNER_FIELDS = {"party", "site", "application"}


@dataclass
class FieldChange:
    label: Any
    old: Any
    new: Any


@dataclass
class Change:
    record: str
    kind: Any  # what happens to the record: added, changed, ended
    fields: list[FieldChange] = field(default_factory=list)
    stale: bool = False


def _may_see_personal(user: Any, model: type[models.Model]) -> bool:
    # The party's own personal fields are seen by those who see its persons.
    name = "person" if model is Party else model._meta.model_name
    return bool(user.has_perm(f"licensing.view_{name}"))


def _display(obj: models.Model, f: Any) -> Any:
    value: Any = getattr(obj, f.name, None)
    if hasattr(value, "name") and hasattr(value, "code"):  # a country: its name, not 250 read
        value = value.name
    elif f.choices:
        value = dict(f.flatchoices).get(value, value)
    if value in (None, ""):
        return "—"
    return value


def _field_changes(
    model: type[models.Model],
    old: models.Model | None,
    new: models.Model,
    user: Any,
    *,
    mask_numbers: bool = False,
) -> list[FieldChange]:
    """``user`` None: the party's own user, who sees its own data (Art. 5). ``mask_numbers``:
    identity document and bank account numbers by their last four characters."""
    personal = set(getattr(model, "personal_data_fields", ()))
    masked = user is not None and not _may_see_personal(user, model)
    found = []
    for f in content_fields(model):
        if f.name in OWNER_FIELDS:
            continue
        before = _display(old, f) if old is not None else "—"
        after = _display(new, f)
        if before == after:
            continue
        if masked and f.name in personal:
            before, after = (MASKED if before != "—" else "—"), MASKED
        elif mask_numbers and f.name in NUMBERS:
            before, after = (mask(before) if before != "—" else "—"), mask(after)
        found.append(FieldChange(f.verbose_name, before, after))
    return found


def _label(obj: models.Model) -> str:
    return f"{str(obj._meta.verbose_name).capitalize()}: {obj}"


def _is_ended(row: Any) -> bool:
    return getattr(row, "ended_at", None) is not None


def proposed_changes(application: Application, user: Any) -> list[Change]:
    """Every change the application proposes, record by record, in the order of the filing.
    ``user`` None for the party's own user (the portal)."""
    party = application.party
    changes: list[Change] = []
    fields = (application.party_changes or {}).get("fields") or {}
    if fields:
        changes.append(
            Change(
                _label(party),
                _("changed"),
                _field_changes(Party, party, draft_party(party, application), user),
                stale=application.party_changes.get("base_version") != party.version,
            )
        )
    for model in REGULATED:
        rows = model.with_proposals.filter(proposed_in=application).order_by("pk")
        for row in rows.select_related("replaces"):
            original = row.replaces
            if original is None:
                if _is_ended(row):
                    continue  # proposed, then withdrawn within the draft
                changes.append(
                    Change(_label(row), _("added"), _field_changes(model, None, row, user))
                )
                continue
            stale = original.version != row.base_version
            if _is_ended(row) and not _is_ended(original):
                changes.append(Change(_label(original), _("ended"), [], stale=stale))
                continue
            found = _field_changes(model, original, row, user)
            if found:
                changes.append(Change(_label(original), _("changed"), found, stale=stale))
    return changes


@dataclass
class HistoryEntry:
    version: RecordVersion
    change: Change


def party_history(party: Party, user: Any, limit: int = 200, offset: int = 0) -> list[HistoryEntry]:
    """The approved versions of the party's records, newest first, each with what it changed
    against the version before it; ``limit`` of them from the ``offset``-th (a page)."""
    versions = list(
        RecordVersion.objects.filter(party=party)
        .select_related("application", "approved_by")
        .order_by("-valid_from", "-pk")[offset : offset + limit]
    )
    keys = {(v.record_type, v.record_id) for v in versions}
    previous: dict[tuple[str, int, int], RecordVersion] = {}
    if keys:
        # The versions just before these (and a few others of the same numbers), not every
        # version these records ever had.
        for v in RecordVersion.objects.filter(
            party=party,
            record_id__in={k[1] for k in keys},
            version__in={v.version - 1 for v in versions},
        ).only("record_type", "record_id", "version", "data"):
            previous[(v.record_type, v.record_id, v.version)] = v
    # An affiliation is labelled by its affiliate: every one named, in one query.
    affiliates = Party.objects.in_bulk(
        {v.data.get("affiliate_id") for v in versions if v.data.get("affiliate_id")}
    )
    entries = []
    for version in versions:
        model = apps.get_model(version.record_type)
        new = instance_from(model, version.data, version.record_id)
        before = previous.get((version.record_type, version.record_id, version.version - 1))
        old = instance_from(model, before.data, version.record_id) if before else None
        for row in (new, old):
            if isinstance(row, CorporateAffiliation) and row.affiliate_id in affiliates:
                row.affiliate = affiliates[row.affiliate_id]
        if version.ended:
            kind = _("ended")
        elif old is None:
            kind = _("added")
        else:
            kind = _("changed")
        fields = [] if version.ended else _field_changes(model, old, new, user, mask_numbers=True)
        entries.append(HistoryEntry(version, Change(_label(new), kind, fields)))
    return entries


def first_filing(application: Application) -> bool:
    """An application of a party not yet approved: every record it names is proposed."""
    return direct(application.party)
