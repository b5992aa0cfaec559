"""Checking a legacy licence register before anything is written (Art. 9.2, 21.1(a)).

Each row goes through ``LegacyRowForm`` (messages in the user's language), then the models' own
validation (``Party.clean``: what Art. 6.3(b) requires of a legal or natural person), then the
checks across rows (a number twice in the file, one holder given two ways) and against the
database (a number already in use, the holder or site already on record). The result is either
every error, each with its row and column, or a plan that ``services.legacy_import`` writes as
it is. This module reads only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Func, Value
from django.db.models.functions import Replace, Upper
from django.utils import timezone
from django.utils.translation import gettext

from licensing.exchange.legacy_rows import COLUMNS, LegacyRowForm, header_errors
from licensing.exchange.reading import RowError, Table
from licensing.models import Licence, Party, Site, SiteKind

PREVIEW_ROWS = 10


@dataclass
class PlannedParty:
    key: tuple[str, ...]
    row: int
    values: dict[str, Any]
    existing: Party | None = None


@dataclass
class PlannedSite:
    key: tuple[Any, ...]
    party_key: tuple[str, ...]
    values: dict[str, Any]
    existing: Site | None = None


@dataclass
class PlannedLicence:
    row: int
    number: str
    state: str
    values: dict[str, Any]
    party_key: tuple[str, ...]
    site_key: tuple[Any, ...] | None


@dataclass
class CheckedRegister:
    """Every error found, or (when there is none) what the import will write."""

    file_format: str
    errors: list[RowError] = field(default_factory=list)
    licences: list[PlannedLicence] = field(default_factory=list)
    parties: dict[tuple[str, ...], PlannedParty] = field(default_factory=dict)
    sites: dict[tuple[Any, ...], PlannedSite] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        """Counts and the first rows, for the dry run's preview (names, no personal data)."""
        parties = list(self.parties.values())
        sites = list(self.sites.values())
        return {
            "licences": len(self.licences),
            "new_parties": sum(1 for p in parties if p.existing is None),
            "matched_parties": sum(1 for p in parties if p.existing is not None),
            "new_sites": sum(1 for s in sites if s.existing is None),
            "matched_sites": sum(1 for s in sites if s.existing is not None),
            "states": {
                state: sum(1 for lic in self.licences if lic.state == state)
                for state in sorted({lic.state for lic in self.licences})
            },
            "first_rows": [
                {
                    "row": lic.row,
                    "number": lic.number,
                    "holder": self.parties[lic.party_key].values["legal_name"],
                    "matched": self.parties[lic.party_key].existing is not None,
                    "state": lic.state,
                    "valid_from": lic.values["valid_from"].isoformat(),
                    "expires_on": lic.values["expires_on"].isoformat(),
                    "activities": lic.values["activities"],
                }
                for lic in self.licences[:PREVIEW_ROWS]
            ],
        }


PARTY_FIELDS = (
    "kind",
    "legal_name",
    "trade_name",
    "registration_number",
    "country",
    "address",
    "email",
    "phone",
    "preferred_language",
    "date_of_incorporation",
    "place_of_incorporation",
    "headquarters_address",
    "principal_place_of_business",
    "date_of_birth",
)
# Model field -> column, where they differ.
PARTY_COLUMN = {"kind": "holder_kind"}
SITE_COLUMN = {
    "kind": "site_kind",
    "name": "site_name",
    "street_address": "site_street_address",
    "postal_code": "site_postal_code",
    "municipality": "site_municipality",
    "country": "site_country",
}


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def normalised_registration(text: str) -> str:
    return "".join(text.split()).replace("-", "").replace(".", "").upper()


def check_register(table: Table, *, today: dt.date | None = None) -> CheckedRegister:
    """Every problem of ``table``, or the plan to import it. Reads the database, writes
    nothing."""
    today = today or timezone.localdate()
    checked = CheckedRegister(file_format=table.file_format, errors=list(table.errors))
    if not _check_columns(table, checked):
        return checked
    if not table.rows:
        checked.errors.append(RowError(0, "", gettext("The file has a header but no rows.")))
        return checked
    for number, cells in table.rows:
        _check_row(number, cells, today, checked)
    _check_numbers(checked)
    _match_parties(checked)
    _match_sites(checked)
    checked.errors.sort(key=_position)
    return checked


def _position(error: RowError) -> tuple[int, int]:
    """Errors in the order a person reads the sheet: by row, then by column."""
    column = COLUMNS.index(error.column) if error.column in COLUMNS else -1
    return error.row, column


def _check_columns(table: Table, checked: CheckedRegister) -> bool:
    checked.errors.extend(header_errors(table.headers))
    return not checked.errors


def _check_row(row: int, cells: dict[str, str], today: dt.date, checked: CheckedRegister) -> None:
    form = LegacyRowForm(cells, today=today)
    if not form.is_valid():
        for name, messages in form.errors.items():
            column = "" if name == NON_FIELD_ERRORS else name
            checked.errors.extend(RowError(row, column, str(m)) for m in messages)
        return
    data = form.cleaned_data
    party_values = {
        name: data.get(PARTY_COLUMN.get(name, name)) or _blank(name) for name in PARTY_FIELDS
    }
    party_values["preferred_language"] = data.get("preferred_language") or settings.LANGUAGE_CODE
    party = Party(**party_values)
    if not _model_valid(party, row, PARTY_COLUMN, checked):
        return
    party_key = _party_key(party_values)
    known = checked.parties.get(party_key)
    if known is None:
        checked.parties[party_key] = PlannedParty(key=party_key, row=row, values=party_values)
    elif known.values["kind"] != party_values["kind"] or _fold(known.values["legal_name"]) != _fold(
        party_values["legal_name"]
    ):
        checked.errors.append(
            RowError(
                row,
                "legal_name",
                gettext("Row %(row)s gives this holder's registration number for another name.")
                % {"row": known.row},
            )
        )
        return
    site_key = None
    if data.get("site_name"):
        site_values = {
            "kind": data.get("site_kind") or SiteKind.OTHER,
            "name": data["site_name"],
            "street_address": data["site_street_address"],
            "postal_code": data["site_postal_code"],
            "municipality": data["site_municipality"],
            "country": data["site_country"],
        }
        if not _model_valid(Site(**site_values), row, SITE_COLUMN, checked, exclude=["party"]):
            return
        site_key = (
            party_key,
            _fold(site_values["name"]),
            _fold(site_values["street_address"]),
            normalised_registration(site_values["postal_code"]),
            _fold(site_values["municipality"]),
            site_values["country"],
        )
        checked.sites.setdefault(
            site_key, PlannedSite(key=site_key, party_key=party_key, values=site_values)
        )
    checked.licences.append(
        PlannedLicence(
            row=row,
            number=data["number"],
            state=data["state"],
            values={
                "activities": data["activities"],
                "valid_from": data["valid_from"],
                "expires_on": data["expires_on"],
            },
            party_key=party_key,
            site_key=site_key,
        )
    )


def _blank(name: str) -> Any:
    return None if name.startswith("date_") else ""


def _model_valid(
    obj: Party | Site,
    row: int,
    columns: dict[str, str],
    checked: CheckedRegister,
    exclude: list[str] | None = None,
) -> bool:
    """The model's own rules (``Party.clean``: Art. 6.3(b)), without the unique checks that
    would cost a query per row."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = columns.get(name, name) if name != "__all__" else ""
            checked.errors.extend(RowError(row, column, str(m)) for m in messages)
        return False
    return True


def _party_key(values: dict[str, Any]) -> tuple[str, ...]:
    country = str(values["country"])
    registration = normalised_registration(values["registration_number"])
    if registration:
        return ("registration", country, registration)
    # A natural person without a registration number: one party per name and birth date in
    # the file; never matched against the database by name (no guessing at identities).
    return ("person", country, _fold(values["legal_name"]), str(values["date_of_birth"] or ""))


def _check_numbers(checked: CheckedRegister) -> None:
    first_row: dict[str, int] = {}
    for planned in checked.licences:
        if planned.number in first_row:
            checked.errors.append(
                RowError(
                    planned.row,
                    "number",
                    gettext("Licence number %(number)s is also on row %(row)s.")
                    % {"number": planned.number, "row": first_row[planned.number]},
                )
            )
        else:
            first_row[planned.number] = planned.row
    taken = set(Licence.objects.filter(number__in=list(first_row)).values_list("number", flat=True))
    for planned in checked.licences:
        if planned.number in taken:
            checked.errors.append(
                RowError(
                    planned.row,
                    "number",
                    gettext("A licence with the number %(number)s already exists.")
                    % {"number": planned.number},
                )
            )


def _match_parties(checked: CheckedRegister) -> None:
    """A holder with a registration number is the party on record with the same country and
    number, if there is one; the file's other details do not overwrite it."""
    wanted = {key for key in checked.parties if key[0] == "registration"}
    if not wanted:
        return
    found: dict[tuple[str, ...], list[Party]] = {}
    # The number as stored may have spaces, dashes or dots: compared normalised on both sides
    # (one scan of the parties per import, not a query per row).
    stored: Func = Upper("registration_number")
    for separator in (" ", "-", "."):
        stored = Replace(stored, Value(separator), Value(""))
    candidates = (
        Party.objects.filter(country__in={key[1] for key in wanted})
        .annotate(normalised_registration=stored)
        .filter(normalised_registration__in={key[2] for key in wanted})
    )
    for party in candidates:
        number = normalised_registration(party.registration_number)
        found.setdefault(("registration", str(party.country), number), []).append(party)
    for key in wanted:
        planned = checked.parties[key]
        matches = found.get(key, [])
        if len(matches) > 1:
            checked.errors.append(
                RowError(
                    planned.row,
                    "registration_number",
                    gettext(
                        "Several parties on record have this registration number; resolve "
                        "that before the import."
                    ),
                )
            )
        elif matches:
            if matches[0].kind != planned.values["kind"]:
                checked.errors.append(
                    RowError(
                        planned.row,
                        "holder_kind",
                        gettext("The party on record with this registration number is a %(kind)s.")
                        % {"kind": matches[0].get_kind_display()},
                    )
                )
            planned.existing = matches[0]


def _match_sites(checked: CheckedRegister) -> None:
    """A site of a holder already on record is that holder's site with the same name and
    address, if there is one."""
    existing = {p.existing.pk: key for key, p in checked.parties.items() if p.existing}
    if not existing:
        return
    for site in Site.objects.filter(party_id__in=list(existing)):
        key = (
            existing[site.party_id],
            _fold(site.name),
            _fold(site.street_address),
            normalised_registration(site.postal_code),
            _fold(site.municipality),
            str(site.country),
        )
        if key in checked.sites and checked.sites[key].existing is None:
            checked.sites[key].existing = site
