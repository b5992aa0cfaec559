"""Import of a legacy licence register (Art. 9.2, 21.1(a)): an authority moving to this system
brings the licences it has already issued, every row or none.

Two steps, each a service: ``stage_import`` (the dry run) reads and checks the file and, when
nothing is wrong, keeps it with its SHA-256 as a ``LegacyImport`` awaiting confirmation, writing
nothing else; ``confirm_import`` checks that same stored file again against the database as it
is now and writes every party, site, licence and term in one transaction, or nothing. Both are
for holders of ``licensing.import_records`` (senior officers, migration 0014)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError, PermissionDenied
from licensing.exchange.importing import CheckedRegister, check_register
from licensing.exchange.reading import RowError, UnreadableFile, check_size, read_table
from licensing.models import (
    ImportState,
    LegacyImport,
    Licence,
    LicenceTerm,
    Party,
    Site,
    Verb,
)
from licensing.models.imports import may_import
from licensing.models.versions import RecordSource
from licensing.services.audit import record_event
from licensing.services.common import locked, run_transition
from licensing.services.versions import write_version


class ImportNotPending(DomainError):
    # A second click on "Confirm import", or a confirmation after a refused one.
    default_message = _("This import has already been confirmed or refused.")


class _Refused(Exception):
    """Control flow inside this module: the checks found errors; never shown as such."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass
class DryRun:
    """The dry run's answer: the errors (nothing was stored), or the staged import."""

    errors: list[RowError] = field(default_factory=list)
    legacy_import: LegacyImport | None = None


def _require_permission(by: Any) -> None:
    if not may_import(None, by):
        raise PermissionDenied()


def check_file(content: bytes, filename: str) -> CheckedRegister:
    """Read and check ``content``; a file that cannot be read is one error for row 0."""
    try:
        table = read_table(content, filename)
    except UnreadableFile as exc:
        return CheckedRegister(file_format="", errors=[RowError(0, "", str(exc))])
    return check_register(table)


def _read_upload(upload: UploadedFile) -> bytes:
    check_size(upload.size or 0)  # before a byte is read
    upload.seek(0)
    return b"".join(upload.chunks())


@transaction.atomic
def stage_import(*, upload: UploadedFile, by: Any) -> DryRun:
    """The dry run. Holders of ``import_records``. With errors, stores nothing; without, keeps
    the file (private storage, random name, SHA-256) as a ``LegacyImport`` in state
    ``validated`` with a ``created`` audit event, and writes no licence."""
    _require_permission(by)
    name = (upload.name or "register")[-200:]
    try:
        content = _read_upload(upload)
    except UnreadableFile as exc:
        return DryRun(errors=[RowError(0, "", str(exc))])
    checked = check_file(content, name)
    if not checked.ok:
        return DryRun(errors=checked.errors)
    legacy = LegacyImport(
        original_name=name,
        file_format=checked.file_format,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        row_count=len(checked.licences),
        summary=checked.summary(),
        uploaded_by=by,
    )
    legacy.file.save("register", ContentFile(content), save=False)
    legacy.save()
    record_event(
        legacy,
        verb=Verb.CREATED,
        by=by,
        to_state=legacy.state,
        changes={"file": name, "sha256": legacy.sha256, "rows": legacy.row_count},
    )
    return DryRun(legacy_import=legacy)


def confirm_import(*, import_id: int, by: Any) -> LegacyImport:
    """The confirmation. Holders of ``import_records``. Checks the stored file again (its
    SHA-256, then every row against the database as it is now) and writes it all in one
    transaction: state ``imported``. Any error, found by the checks or at write time, rolls
    everything back; the import is then ``failed``, with its report, and stays so. A second
    confirmation raises ``ImportNotPending``: the row lock makes a double click wait for the
    first, then see it done."""
    _require_permission(by)
    try:
        return _confirm(import_id, by)
    except _Refused as refused:
        return _record_failure(import_id, by, refused.errors)


@transaction.atomic
def _confirm(import_id: int, by: Any) -> LegacyImport:
    legacy = locked(LegacyImport, import_id)
    if legacy.state != ImportState.VALIDATED:
        raise ImportNotPending()
    with legacy.file.open("rb") as stored:
        content = stored.read()
    if hashlib.sha256(content).hexdigest() != legacy.sha256:
        raise _Refused(
            [RowError(0, "", gettext("The stored file is not the file that was checked."))]
        )
    checked = check_file(content, legacy.original_name)
    if not checked.ok:
        raise _Refused(checked.errors)
    try:
        with transaction.atomic():
            counts = write_register(checked, legacy=legacy, by=by)
    except (IntegrityError, ValidationError) as exc:
        raise _Refused(
            [
                RowError(
                    0,
                    "",
                    gettext("The import could not be written, and nothing was: %(error)s")
                    % {"error": exc},
                )
            ]
        ) from exc
    legacy.summary = checked.summary()
    legacy.confirmed_by = by
    legacy.confirmed_at = timezone.now()
    run_transition(
        legacy,
        "complete",
        by=by,
        verb=Verb.IMPORTED,
        extra_fields=("summary", "confirmed_by", "confirmed_at"),
        changes=counts,
    )
    return legacy


@transaction.atomic
def _record_failure(import_id: int, by: Any, errors: list[RowError]) -> LegacyImport:
    legacy = locked(LegacyImport, import_id)
    if legacy.state != ImportState.VALIDATED:
        raise ImportNotPending()
    legacy.report = [error.as_dict() for error in errors]
    legacy.confirmed_by = by
    legacy.confirmed_at = timezone.now()
    run_transition(
        legacy,
        "fail",
        by=by,
        verb=Verb.IMPORT_FAILED,
        extra_fields=("report", "confirmed_by", "confirmed_at"),
        changes={"errors": len(errors)},
    )
    return legacy


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def write_register(checked: CheckedRegister, *, legacy: LegacyImport, by: Any) -> dict[str, int]:
    """Create what ``checked`` plans; the caller holds the transaction. Each record created gets
    an ``imported`` audit event naming the import and its row."""
    source = {"import": str(legacy.public_id), "file": legacy.original_name}
    parties: dict[tuple[str, ...], Party] = {}
    created_parties = created_sites = 0
    for key, planned_party in checked.parties.items():
        if planned_party.existing is not None:
            parties[key] = planned_party.existing
            continue
        # A licensee of the legacy register: approved by the authority that licensed it, its
        # records version 1 of the import (Art. 9; licensing.models.versions).
        imported_at = timezone.now()
        party = Party(**planned_party.values, approved_at=imported_at)
        party.full_clean()
        party.save()
        write_version(party, when=imported_at, source=RecordSource.IMPORT, by=by)
        record_event(party, verb=Verb.IMPORTED, by=by, changes={**source, "row": planned_party.row})
        parties[key] = party
        created_parties += 1
    sites: dict[tuple[Any, ...], Site] = {}
    for key, planned_site in checked.sites.items():
        if planned_site.existing is not None:
            sites[key] = planned_site.existing
            continue
        site = Site(party=parties[planned_site.party_key], **planned_site.values)
        site.full_clean()
        site.save()
        write_version(site, when=timezone.now(), source=RecordSource.IMPORT, by=by)
        record_event(site, verb=Verb.IMPORTED, by=by, changes=source)
        sites[key] = site
        created_sites += 1
    for planned in checked.licences:
        # The state is given in the constructor: the first value of a protected FSM field, the
        # state the licence already has in the register it comes from. No transition runs, so
        # no holder is e-mailed about a decision taken years ago.
        licence = Licence(
            number=planned.number,
            holder=parties[planned.party_key],
            activities=planned.values["activities"],
            valid_from=planned.values["valid_from"],
            expires_on=planned.values["expires_on"],
            state=planned.state,
            legacy_import=legacy,
            application=None,
            issued_by=None,
            # Its issue time is not in the register: the start of its first day of validity.
            issued_at=_start_of(planned.values["valid_from"]),
        )
        licence.full_clean(exclude=["state"])
        licence.save()
        if planned.site_key is not None:
            licence.sites.set([sites[planned.site_key]])
        # Art. 6.3(f): the term it runs for, as every licence has.
        LicenceTerm.objects.create(
            licence=licence, valid_from=licence.valid_from, expires_on=licence.expires_on
        )
        record_event(
            licence,
            verb=Verb.IMPORTED,
            by=by,
            to_state=licence.state,
            changes={**source, "sha256": legacy.sha256, "row": planned.row},
        )
    return {
        "licences": len(checked.licences),
        "parties_created": created_parties,
        "parties_matched": len(parties) - created_parties,
        "sites_created": created_sites,
    }
