"""Import of an existing machine register (Art. 6.3(b)(iv)-(v)): a CSV or XLSX file, one row per
machine. The file is read by the core's safe reader (size cap, zip-bomb and XML-bomb checks,
formulas refused: ``licensing.exchange.reading``). Every row is checked against the register
before anything is written; with any error nothing is written, and the errors are listed by
row and column. The import itself is one transaction: all rows or none."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from equipment.models import Machine, MachineKind, MachineState, normalised_serial
from equipment.models.machines import HS_CODE
from equipment.services.codes import issue_machine_code
from equipment.services.errors import SerialTaken
from equipment.services.machines import machine_identifier
from licensing.exceptions import PermissionDenied
from licensing.exchange.reading import RowError, UnreadableFile, check_size, read_table
from licensing.models.audit import Verb
from licensing.models.licences import Licence, LicenceState
from licensing.models.sites import Site
from licensing.services.audit import record_event

PERMISSION = "equipment.register_machine"
REQUIRED_COLUMNS = ("licence_number", "make", "model", "serial_number", "kind", "hs_code")
OPTIONAL_COLUMNS = ("site", "year", "rated_capacity")


@dataclass
class CheckedRow:
    row: int
    licence: Licence
    site: Site | None
    values: dict[str, Any]


@dataclass
class MachineImport:
    """The outcome: ``errors`` (nothing written), or the rows checked and, unless it was a dry
    run, the machines written."""

    file_name: str
    sha256: str = ""
    rows: list[CheckedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    machines: list[Machine] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _kind(text: str) -> str | None:
    wanted = text.strip().casefold()
    for value, label in MachineKind.choices:
        if wanted in (value, str(label).casefold()):
            return str(value)
    return None


def _number(text: str, row: int, column: str, errors: list[RowError]) -> int | None:
    if not text.strip():
        return None
    if not re.fullmatch(r"\d{1,12}", text.strip()):
        errors.append(RowError(row, column, gettext("Enter a whole number.")))
        return None
    return int(text.strip())


def check_rows(table: Any) -> tuple[list[CheckedRow], list[RowError]]:
    errors: list[RowError] = list(table.errors)
    missing = [c for c in REQUIRED_COLUMNS if c not in table.headers]
    if missing:
        message = gettext("Missing columns: %(columns)s") % {"columns": ", ".join(missing)}
        return [], [RowError(1, "", message)]
    numbers = {r.get("licence_number", "").strip().upper() for _, r in table.rows}
    licences = {
        lic.number: lic
        for lic in Licence.objects.filter(number__in=numbers).select_related("holder")
    }
    refused = {(e.row, e.column) for e in table.errors}  # formulas, already reported
    seen: dict[tuple[str, str], int] = {}
    checked: list[CheckedRow] = []
    for row, cells in table.rows:
        row_errors: list[RowError] = []
        for column in REQUIRED_COLUMNS:
            if not cells.get(column, "").strip() and (row, column) not in refused:
                row_errors.append(RowError(row, column, gettext("This cell is required.")))
        licence = licences.get(cells.get("licence_number", "").strip().upper())
        if cells.get("licence_number", "").strip() and (
            licence is None or licence.state != LicenceState.ACTIVE
        ):
            row_errors.append(
                RowError(row, "licence_number", gettext("No active licence has this number."))
            )
        kind = _kind(cells.get("kind", ""))
        if cells.get("kind", "").strip() and kind is None:
            row_errors.append(RowError(row, "kind", gettext("Unknown kind of machine.")))
        hs_code = cells.get("hs_code", "").strip()
        try:
            if hs_code:
                HS_CODE(hs_code)
        except ValidationError as exc:
            row_errors.append(RowError(row, "hs_code", " ".join(exc.messages)))
        year = _number(cells.get("year", ""), row, "year", row_errors)
        capacity = _number(cells.get("rated_capacity", ""), row, "rated_capacity", row_errors)
        site = None
        site_name = cells.get("site", "").strip()
        if site_name and licence is not None:
            site = licence.holder.sites.filter(name__iexact=site_name).first()
            if site is None:
                row_errors.append(
                    RowError(row, "site", gettext("The licence holder has no site of this name."))
                )
        key = (
            normalised_serial(cells.get("make", "")),
            normalised_serial(cells.get("serial_number", "")),
        )
        if all(key):
            if key in seen:
                row_errors.append(
                    RowError(
                        row,
                        "serial_number",
                        gettext("The same machine is already in row %(row)s.") % {"row": seen[key]},
                    )
                )
            elif Machine.objects.filter(make_key=key[0], serial_key=key[1]).exists():
                row_errors.append(
                    RowError(
                        row,
                        "serial_number",
                        str(SerialTaken.default_message),
                    )
                )
            seen.setdefault(key, row)
        if row_errors or licence is None or any(r == row for r, _c in refused):
            errors.extend(row_errors)
            continue
        checked.append(
            CheckedRow(
                row=row,
                licence=licence,
                site=site,
                values={
                    "make": cells["make"].strip(),
                    "model": cells["model"].strip(),
                    "serial_number": cells["serial_number"].strip(),
                    "kind": kind,
                    "hs_code": hs_code,
                    "year": year,
                    "rated_capacity": capacity,
                },
            )
        )
    if not table.rows and not errors:
        errors.append(RowError(0, "", gettext("The file has no rows.")))
    return checked, errors


def import_machines(*, upload: UploadedFile, by: Any, dry_run: bool) -> MachineImport:
    """Licence officers (``register_machine``). A dry run checks and writes nothing. A real run
    checks again and writes every machine, registered, in one transaction, each with an
    ``imported`` audit event naming the file and its SHA-256; any error writes nothing."""
    if not by.has_perm(PERMISSION):
        raise PermissionDenied()
    name = (upload.name or "machines")[-200:]
    result = MachineImport(file_name=name)
    try:
        check_size(upload.size or 0)
        upload.seek(0)
        content = b"".join(upload.chunks())
        table = read_table(content, name)
    except UnreadableFile as exc:
        result.errors = [RowError(0, "", str(exc))]
        return result
    result.sha256 = hashlib.sha256(content).hexdigest()
    if dry_run:
        result.rows, result.errors = check_rows(table)
        return result
    try:
        with transaction.atomic():
            result.rows, result.errors = check_rows(table)
            if result.errors:
                return result
            result.machines = _write(result, by)
    except IntegrityError:
        # Declared meanwhile by another transaction: nothing of this file was kept.
        result.machines = []
        result.errors = [
            RowError(
                0,
                "",
                gettext("The register changed during the import. Nothing was imported; try again."),
            )
        ]
    return result


def _write(result: MachineImport, by: Any) -> list[Machine]:
    machines = []
    today = timezone.localdate()
    for row in result.rows:
        # An existing register is taken over as it stands: the machines are registered.
        machine = Machine(
            identifier=machine_identifier(today),
            holder=row.licence.holder,
            licence=row.licence,
            site=row.site,
            state=MachineState.REGISTERED,
            **row.values,
        )
        machine.save()
        issue_machine_code(machine)  # Reg. 2018/574 Art. 19
        record_event(
            machine,
            verb=Verb.IMPORTED,
            by=by,
            to_state=machine.state,
            changes={"file": result.file_name, "sha256": result.sha256, "row": row.row},
        )
        machines.append(machine)
    return machines
