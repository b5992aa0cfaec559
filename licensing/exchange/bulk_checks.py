"""Checking a legacy licence register chunk by chunk (Art. 9.2, 21.1(a)): a million rows in
bounded memory, with the rules and messages of ``importing.check_register``.

Each chunk's rows are checked one by one (``row_checks.RowChecker``: the form's and the Party
model's rules), then together against the database with one query each: the licence numbers
already in use, the parties on record with the holders' registration numbers, the sites of
those parties. What must hold across chunks (a number once in the file; one holder, one name;
a holder or site created once) is kept compactly: the numbers seen with their first row, the
holders by key with their first row, a hash of their kind and name and their party's id, the
sites by key with theirs. Nothing else of a chunk outlives it. This module reads only."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from licensing.exchange.importing import (
    PARTY_COLUMN,
    PARTY_FIELDS,
    PREVIEW_ROWS,
    _fold,
    normalised_registration,
)
from licensing.exchange.legacy_rows import COLUMNS
from licensing.exchange.reading import RowError
from licensing.exchange.row_checks import RowChecker
from licensing.models import Licence, Party, Site, SiteKind

Row = tuple[int, dict[str, str], list[RowError]]
SEP = "\x1f"  # joins the parts of a key: no cell holds it once read


@dataclass(slots=True)
class PlannedRow:
    """One valid row: the licence to write."""

    row: int
    number: str
    state: str
    activities: list[str]
    valid_from: dt.date
    expires_on: dt.date
    party_key: str
    site_key: str | None


@dataclass(slots=True)
class NewParty:
    key: str
    row: int
    values: dict[str, Any]


@dataclass(slots=True)
class NewSite:
    key: str
    party_key: str
    values: dict[str, Any]


@dataclass
class Chunk:
    """What one chunk adds: its licences, the holders and sites first seen in it that are not
    on record, and its errors in the order a person reads the sheet."""

    rows: list[PlannedRow] = field(default_factory=list)
    new_parties: list[NewParty] = field(default_factory=list)
    new_sites: list[NewSite] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class ErrorLog:
    """Every error counted, the first ``IMPORT_MAX_KEPT_ERRORS`` kept."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = settings.IMPORT_MAX_KEPT_ERRORS if limit is None else limit
        self.kept: list[RowError] = []
        self.count = 0

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.count += 1
            if len(self.kept) < self.limit:
                self.kept.append(error)


def position(error: RowError) -> tuple[int, int]:
    """Errors in the order a person reads the sheet: by row, then by column."""
    column = COLUMNS.index(error.column) if error.column in COLUMNS else -1
    return error.row, column


def party_key(values: dict[str, Any]) -> str:
    """As ``importing._party_key``, as one string."""
    country = str(values["country"])
    registration = normalised_registration(values["registration_number"])
    if registration:
        return SEP.join(("registration", country, registration))
    # A natural person without a registration number: one party per name and birth date in
    # the file; never matched against the database by name (no guessing at identities).
    return SEP.join(
        ("person", country, _fold(values["legal_name"]), str(values["date_of_birth"] or ""))
    )


def site_key(party: str, values: dict[str, Any]) -> str:
    return SEP.join(
        (
            party,
            _fold(values["name"]),
            _fold(values["street_address"]),
            normalised_registration(values["postal_code"]),
            _fold(values["municipality"]),
            str(values["country"]),
        )
    )


class PartiesOnRecord:
    """The parties on record by country and normalised registration number. One pass over
    the parties keeps a hash of each key with its party's id (about 100 bytes a party); a
    chunk's candidates are then read by id in one query and compared exactly."""

    def __init__(self) -> None:
        self.ids: dict[int, int | list[int]] = {}
        rows = (
            Party.objects.exclude(registration_number="")
            .order_by()
            .values_list("pk", "country", "registration_number")
        )
        for pk, country, number in rows.iterator(chunk_size=20000):
            code = hash((str(country), normalised_registration(number)))
            known = self.ids.get(code)
            if known is None:
                self.ids[code] = pk
            elif isinstance(known, list):
                known.append(pk)
            else:
                self.ids[code] = [known, pk]

    def matching(self, keys: Iterable[str]) -> dict[str, list[Party]]:
        """The parties on record with each of ``keys`` (registration keys only)."""
        wanted = {key: key.split(SEP) for key in keys}
        ids: list[int] = []
        for _kind, country, number in wanted.values():
            known = self.ids.get(hash((country, number)))
            if isinstance(known, list):
                ids.extend(known)
            elif known is not None:
                ids.append(known)
        found: dict[str, list[Party]] = {}
        if not ids:
            return found
        for party in Party.objects.filter(pk__in=ids).order_by("pk"):
            number = normalised_registration(party.registration_number)
            key = SEP.join(("registration", str(party.country), number))
            if key in wanted:
                found.setdefault(key, []).append(party)
        return found


class RegisterChecker:
    """The checks of one pass over a register, chunk by chunk, with the state that must hold
    across chunks. ``holders[key]`` is ``(first row, hash of kind and folded name, party id,
    on record)``, the id 0 until the party is written; ``sites[key]`` the site's id, 0 likewise."""

    def __init__(self, *, today: dt.date, errors: ErrorLog, import_id: int | None = None) -> None:
        self.rows = RowChecker(today=today)
        # While writing, the licences written from earlier chunks are not "already on record".
        self.import_id = import_id
        self.errors = errors
        self.numbers: dict[str, int] = {}
        self.holders: dict[str, tuple[int, int, int, bool]] = {}
        self.sites: dict[str, int] = {}
        self.on_record = PartiesOnRecord()
        self.counts: Counter[str] = Counter()
        self.states: Counter[str] = Counter()
        self.preview: list[dict[str, Any]] = []
        self.preview_names: dict[str, str] = {}

    def check(self, rows: list[Row]) -> Chunk:
        """Check one chunk; its errors are added to ``errors`` and returned with its plan."""
        chunk = Chunk()
        new_parties: dict[str, NewParty] = {}
        new_sites: dict[str, NewSite] = {}
        for number, cells, reading_errors in rows:
            self.counts["rows"] += 1
            if reading_errors:
                # A formula or a stray cell: the row is reported as read, not checked further.
                chunk.errors.extend(reading_errors)
                continue
            planned = self._row(number, cells, chunk, new_parties, new_sites)
            if planned is not None:
                chunk.rows.append(planned)
        self._numbers(chunk)
        self._match_parties(new_parties, chunk)
        self._match_sites(new_sites, chunk)
        chunk.new_parties = list(new_parties.values())
        chunk.new_sites = list(new_sites.values())
        self.counts["licences"] += len(chunk.rows)
        self.counts["new_parties"] += len(chunk.new_parties)
        self.counts["new_sites"] += len(chunk.new_sites)
        self.states.update(planned.state for planned in chunk.rows)
        self._preview(chunk)
        chunk.errors.sort(key=position)
        self.errors.extend(chunk.errors)
        return chunk

    def _row(
        self,
        row: int,
        cells: dict[str, str],
        chunk: Chunk,
        new_parties: dict[str, NewParty],
        new_sites: dict[str, NewSite],
    ) -> PlannedRow | None:
        data, cell_errors = self.rows.cells(cells)
        if cell_errors:
            chunk.errors.extend(RowError(row, column, message) for column, message in cell_errors)
            return None
        values = {
            name: data.get(PARTY_COLUMN.get(name, name)) or _blank(name) for name in PARTY_FIELDS
        }
        values["preferred_language"] = data.get("preferred_language") or settings.LANGUAGE_CODE
        party_errors = self.rows.party(values, PARTY_COLUMN)
        if party_errors:
            chunk.errors.extend(RowError(row, column, message) for column, message in party_errors)
            return None
        key = party_key(values)
        signature = hash((values["kind"], _fold(values["legal_name"])))
        known = self.holders.get(key)
        if known is None:
            self.holders[key] = (row, signature, 0, False)
            new_parties[key] = NewParty(key=key, row=row, values=values)
            if self.counts["licences"] + len(chunk.rows) < PREVIEW_ROWS:
                self.preview_names[key] = values["legal_name"]
        elif known[1] != signature:
            chunk.errors.append(
                RowError(
                    row,
                    "legal_name",
                    gettext("Row %(row)s gives this holder's registration number for another name.")
                    % {"row": known[0]},
                )
            )
            return None
        site = None
        if data.get("site_name"):
            site_values = {
                "kind": data.get("site_kind") or SiteKind.OTHER,
                "name": data["site_name"],
                "street_address": data["site_street_address"],
                "postal_code": data["site_postal_code"],
                "municipality": data["site_municipality"],
                "country": data["site_country"],
            }
            site = site_key(key, site_values)
            if site not in self.sites and site not in new_sites:
                new_sites[site] = NewSite(key=site, party_key=key, values=site_values)
        return PlannedRow(
            row=row,
            number=data["number"],
            state=data["state"],
            activities=data["activities"],
            valid_from=data["valid_from"],
            expires_on=data["expires_on"],
            party_key=key,
            site_key=site,
        )

    def _numbers(self, chunk: Chunk) -> None:
        for planned in chunk.rows:
            first = self.numbers.setdefault(planned.number, planned.row)
            if first != planned.row:
                chunk.errors.append(
                    RowError(
                        planned.row,
                        "number",
                        gettext("Licence number %(number)s is also on row %(row)s.")
                        % {"number": planned.number, "row": first},
                    )
                )
        wanted = {planned.number for planned in chunk.rows}
        if not wanted:
            return
        on_record = Licence.objects.filter(number__in=wanted)
        if self.import_id is not None:
            on_record = on_record.exclude(legacy_import_id=self.import_id)
        taken = set(on_record.values_list("number", flat=True))
        for planned in chunk.rows:
            if planned.number in taken:
                chunk.errors.append(
                    RowError(
                        planned.row,
                        "number",
                        gettext("A licence with the number %(number)s already exists.")
                        % {"number": planned.number},
                    )
                )

    def _match_parties(self, new_parties: dict[str, NewParty], chunk: Chunk) -> None:
        """A holder with a registration number is the party on record with the same country
        and number, if there is one; the file's other details do not overwrite it."""
        wanted = [key for key in new_parties if key.startswith("registration" + SEP)]
        if not wanted:
            return
        for key, matches in self.on_record.matching(wanted).items():
            planned = new_parties[key]
            if len(matches) > 1:
                chunk.errors.append(
                    RowError(
                        planned.row,
                        "registration_number",
                        gettext(
                            "Several parties on record have this registration number; resolve "
                            "that before the import."
                        ),
                    )
                )
                continue
            (party,) = matches
            if party.kind != planned.values["kind"]:
                chunk.errors.append(
                    RowError(
                        planned.row,
                        "holder_kind",
                        gettext("The party on record with this registration number is a %(kind)s.")
                        % {"kind": party.get_kind_display()},
                    )
                )
            row, signature, _id, _matched = self.holders[key]
            self.holders[key] = (row, signature, party.pk, True)
            del new_parties[key]
            self.counts["matched_parties"] += 1

    def _match_sites(self, new_sites: dict[str, NewSite], chunk: Chunk) -> None:
        """A site of a holder on record is that holder's site with the same name and address,
        if there is one."""
        on_record = {}
        for site in new_sites.values():
            _row, _signature, party_id, matched = self.holders[site.party_key]
            if matched:
                on_record[party_id] = site.party_key
        if on_record:
            for site in Site.objects.filter(party_id__in=list(on_record)).order_by("pk"):
                key = site_key(
                    on_record[site.party_id],
                    {
                        "name": site.name,
                        "street_address": site.street_address,
                        "postal_code": site.postal_code,
                        "municipality": site.municipality,
                        "country": str(site.country),
                    },
                )
                if key in new_sites:
                    del new_sites[key]
                    self.sites[key] = site.pk
                    self.counts["matched_sites"] += 1
        for key in new_sites:
            self.sites[key] = 0

    def _preview(self, chunk: Chunk) -> None:
        for planned in chunk.rows[: PREVIEW_ROWS - len(self.preview)]:
            self.preview.append(
                {
                    "row": planned.row,
                    "number": planned.number,
                    "holder": self.preview_names.get(planned.party_key, ""),
                    "matched": self.holders[planned.party_key][3],
                    "state": planned.state,
                    "valid_from": planned.valid_from.isoformat(),
                    "expires_on": planned.expires_on.isoformat(),
                    "activities": planned.activities,
                }
            )

    def summary(self) -> dict[str, Any]:
        """As ``CheckedRegister.summary()``."""
        return {
            "licences": self.counts["licences"],
            "new_parties": self.counts["new_parties"],
            "matched_parties": self.counts["matched_parties"],
            "new_sites": self.counts["new_sites"],
            "matched_sites": self.counts["matched_sites"],
            "states": dict(sorted(self.states.items())),
            "first_rows": self.preview,
        }


def _blank(name: str) -> Any:
    return None if name.startswith("date_") else ""
