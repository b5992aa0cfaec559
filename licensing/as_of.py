"""Records as the authority knew them on a date (Art. 9: what the authority knew, and when).

``party_as_of(party_id, when)`` is the one selector: the party and every regulated record of it,
as approved and current at ``when``, from ``RecordVersion`` in one index range scan
(``version_party_from``). The rows it returns are unsaved instances holding that version's
values, with the record's own primary key. Used where a record is shown or printed for a past
moment (a licence term's reprint, the officer's history of a party)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from licensing.models.parties import Party
from licensing.models.versions import RecordVersion
from licensing.services.versions import instance_from


@dataclass
class PartyAsOf:
    when: dt.datetime
    party: Party
    records: dict[str, list[Any]] = field(default_factory=dict)

    def rows(self, model_label: str) -> list[Any]:
        """The rows of one kind, e.g. ``"licensing.site"``, in primary-key order."""
        return self.records.get(model_label, [])

    @property
    def sites(self) -> list[Any]:
        return self.rows("licensing.site")

    @property
    def persons(self) -> list[Any]:
        """Persons in a role on the day (a role that had ended by then is left out)."""
        day = timezone.localdate(self.when)
        return [
            p
            for p in self.rows("licensing.person")
            if p.active_until is None or p.active_until > day
        ]

    @property
    def bank_accounts(self) -> list[Any]:
        return self.rows("licensing.bankaccount")

    @property
    def tax_registrations(self) -> list[Any]:
        return self.rows("licensing.taxregistration")


def versions_at(party_id: int, when: dt.datetime) -> Any:
    """The versions of a party's records that were current at ``when``."""
    return RecordVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=when),
        party_id=party_id,
        valid_from__lte=when,
        ended=False,
    ).order_by("record_type", "record_id")


def party_as_of(party_id: int, when: dt.datetime | None = None) -> PartyAsOf | None:
    """The party as the authority knew it at ``when`` (now by default); None when it was not
    yet approved then."""
    when = when or timezone.now()
    found: dict[str, list[Any]] = defaultdict(list)
    party: Party | None = None
    rows = versions_at(party_id, when).values_list("record_type", "record_id", "data")
    for record_type, record_id, data in rows:
        row = instance_from(apps.get_model(record_type), data, record_id)
        if isinstance(row, Party):
            party = row
        else:
            found[record_type].append(row)
    if party is None:
        return None
    return PartyAsOf(when=when, party=party, records=dict(found))
