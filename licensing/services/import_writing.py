"""Checking and writing a legacy licence register in bulk, streamed in chunks (Art. 9.2,
21.1(a)): a national register of a million rows in bounded memory, every row or none.

Two functions make the job: ``check_register_file`` (the dry run: reads the file as a stream,
checks every row, keeps nothing but compact cross-row state and the first errors) and
``write_register_file`` (inside the caller's transaction: checks each chunk again against the
database as it is now and writes it with bulk statements; any row error raises
``RegisterRefused`` and the caller rolls back). The rules and messages are those of
``licensing.exchange.importing`` (docs/legacy-import.md); chunks are ``IMPORT_CHUNK_ROWS`` rows.

Each party, site and licence created keeps its own ``imported`` audit event naming the import
and (for parties and licences) the row, as when the register was written record by record;
parties and sites get their version 1 and their screening keys in the same transaction."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from duediligence.models import ScreeningKey
from duediligence.services.indexing import KEY_COLUMNS, new_record_key_rows
from licensing.exchange.bulk_checks import Chunk, ErrorLog, RegisterChecker, Row
from licensing.exchange.copying import insert, insert_rows, instances
from licensing.exchange.legacy_rows import header_errors
from licensing.exchange.reading import RowError, RowStream, UnreadableFile, open_rows
from licensing.models import LegacyImport, Licence, LicenceTerm, Party, Site, Verb
from licensing.models.versions import RecordSource
from licensing.services.audit import record_events
from licensing.services.identifier_bulk import issue_codes_in_bulk
from licensing.services.identifiers import LIVE_STATES
from licensing.services.versions import write_first_versions


class RegisterRefused(Exception):
    """The register has errors (found by the checks or at write time); nothing may be kept.
    ``errors`` are the first ``IMPORT_MAX_KEPT_ERRORS``, ``error_count`` how many in all."""

    def __init__(self, errors: list[RowError], error_count: int | None = None) -> None:
        count = len(errors) if error_count is None else error_count
        super().__init__(f"{count} errors")
        self.errors = errors
        self.error_count = count


@dataclass
class RegisterCheck:
    """The dry run's answer: the first errors (at most ``IMPORT_MAX_KEPT_ERRORS``) and how many
    there were in all, or the counts of what the import will write and its first rows."""

    file_format: str
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    row_count: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)

    def summary(self) -> dict[str, Any]:
        """As ``CheckedRegister.summary()``: licences, new_parties, matched_parties, new_sites,
        matched_sites, states, first_rows."""
        return {**self.counts, "first_rows": self.preview}


def check_register_file(
    file: IO[bytes], filename: str, *, progress: Callable[[int], None] | None = None
) -> RegisterCheck:
    """Read ``file`` as a stream and check every row, chunk by chunk; writes nothing.
    ``progress(rows_checked)`` is called after each chunk. A file that cannot be read is one
    error for row 0."""
    errors = ErrorLog()
    file_format = ""
    try:
        stream = open_rows(file, filename)
        file_format = stream.file_format
        checker = _run(stream, errors, progress, write=None)
    except UnreadableFile as exc:
        return RegisterCheck(file_format="", errors=[RowError(0, "", str(exc))], error_count=1)
    except RegisterRefused as refused:
        return RegisterCheck(
            file_format=file_format, errors=refused.errors, error_count=refused.error_count
        )
    summary = checker.summary()
    preview = summary.pop("first_rows")
    return RegisterCheck(
        file_format=file_format,
        errors=errors.kept,
        error_count=errors.count,
        row_count=checker.counts["rows"],
        preview=preview,
        counts=summary,
    )


def write_register_file(
    file: IO[bytes],
    filename: str,
    *,
    legacy: LegacyImport,
    by: Any,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Check and write ``file`` chunk by chunk; the caller holds the transaction
    (``transaction.atomic()``). Raises ``RegisterRefused(errors)`` on any row error: the
    caller rolls back and records the failure. Once an error is found, the rest of the file is
    still checked (every error is reported) but no more is written. ``progress(rows)`` after
    each chunk, with the rows gone through. Returns the counts: licences, parties_created,
    parties_matched, sites_created."""
    errors = ErrorLog()
    writer = _Writer(legacy=legacy, by=by)
    try:
        checker = _run(open_rows(file, filename), errors, progress, write=writer)
    except UnreadableFile as exc:
        raise RegisterRefused([RowError(0, "", str(exc))]) from exc
    if errors.count:
        raise RegisterRefused(errors.kept, errors.count)
    return {
        "licences": checker.counts["licences"],
        "parties_created": checker.counts["new_parties"],
        "parties_matched": checker.counts["matched_parties"],
        "sites_created": checker.counts["new_sites"],
    }


def _run(
    stream: RowStream,
    errors: ErrorLog,
    progress: Callable[[int], None] | None,
    *,
    write: _Writer | None,
) -> RegisterChecker:
    """One pass over the rows: check each chunk, and write it while nothing is wrong."""
    problems = header_errors(stream.headers)
    if problems:
        raise RegisterRefused(problems)
    checker = RegisterChecker(
        today=timezone.localdate(),
        errors=errors,
        import_id=write.legacy.pk if write is not None else None,
    )
    for rows in _chunks(stream.rows, settings.IMPORT_CHUNK_ROWS):
        chunk = checker.check(rows)
        if write is not None and not errors.count:
            write.chunk(chunk, checker)
        if progress is not None:
            progress(checker.counts["rows"])
    if not checker.counts["rows"]:
        raise RegisterRefused([RowError(0, "", gettext("The file has a header but no rows."))])
    return checker


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while chunk := list(itertools.islice(rows, max(size, 1))):
        yield chunk


class _Writer:
    """Writes one checked chunk with a statement or two per table."""

    def __init__(self, *, legacy: LegacyImport, by: Any) -> None:
        self.legacy = legacy
        self.by = by
        self.source = {"import": str(legacy.public_id), "file": legacy.original_name}
        self.starts: dict[dt.date, dt.datetime] = {}

    def _start_of(self, day: dt.date) -> dt.datetime:
        start = self.starts.get(day)
        if start is None:
            start = self.starts[day] = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        return start

    def chunk(self, chunk: Chunk, checker: RegisterChecker) -> None:
        by, source, holders = self.by, self.source, checker.holders
        # A licensee of the legacy register: approved by the authority that licensed it, its
        # records version 1 of the import (Art. 9; licensing.models.versions).
        now = timezone.now()
        parties = instances(
            Party, ({**planned.values, "approved_at": now} for planned in chunk.new_parties)
        )
        insert(parties)
        for planned, party in zip(chunk.new_parties, parties, strict=True):
            row, signature, _id, matched = holders[planned.key]
            holders[planned.key] = (row, signature, party.pk, matched)
        write_first_versions(parties, when=now, source=RecordSource.IMPORT, by=by)
        record_events(
            parties,
            verb=Verb.IMPORTED,
            by=by,
            changes=[{**source, "row": planned.row} for planned in chunk.new_parties],
        )
        sites = instances(
            Site,
            (
                {"party_id": holders[planned.party_key][2], **planned.values}
                for planned in chunk.new_sites
            ),
        )
        insert(sites)
        for planned_site, site in zip(chunk.new_sites, sites, strict=True):
            checker.sites[planned_site.key] = site.pk
        write_first_versions(sites, when=now, source=RecordSource.IMPORT, by=by)
        record_events(sites, verb=Verb.IMPORTED, by=by, changes=[source] * len(sites))
        self._licences(chunk, checker)
        # Screening keys (Art. 6.3(d)): what indexing the new parties one by one would write.
        insert_rows(ScreeningKey, KEY_COLUMNS, new_record_key_rows(parties, sites))

    def _licences(self, chunk: Chunk, checker: RegisterChecker) -> None:
        # The state is given in the constructor: the first value of a protected FSM field, the
        # state the licence already has in the register it comes from. No transition runs, so
        # no holder is e-mailed about a decision taken years ago.
        licences = instances(
            Licence,
            (
                {
                    "number": planned.number,
                    "holder_id": checker.holders[planned.party_key][2],
                    "activities": planned.activities,
                    "valid_from": planned.valid_from,
                    "expires_on": planned.expires_on,
                    "state": planned.state,
                    "legacy_import_id": self.legacy.pk,
                    "application_id": None,
                    "issued_by_id": None,
                    # Its issue time is not in the register: the start of its first day of
                    # validity.
                    "issued_at": self._start_of(planned.valid_from),
                }
                for planned in chunk.rows
            ),
        )
        insert(licences)
        insert_rows(
            Licence.sites.through,
            ("licence_id", "site_id"),
            (
                (licence.pk, checker.sites[planned.site_key])
                for planned, licence in zip(chunk.rows, licences, strict=True)
                if planned.site_key is not None
            ),
        )
        # Reg. 2018/574 Art. 15, 17: a live licence's holder and site get their identifier
        # codes, in bulk as the rest.
        issue_codes_in_bulk(
            (
                licence.holder_id,
                checker.sites[planned.site_key] if planned.site_key is not None else None,
            )
            for planned, licence in zip(chunk.rows, licences, strict=True)
            if planned.state in LIVE_STATES
        )
        # Art. 6.3(f): the term it runs for, as every licence has.
        insert_rows(
            LicenceTerm,
            ("licence_id", "valid_from", "expires_on"),
            ((licence.pk, licence.valid_from, licence.expires_on) for licence in licences),
        )
        extra = {**self.source, "sha256": self.legacy.sha256}
        record_events(
            licences,
            verb=Verb.IMPORTED,
            by=self.by,
            to_states=[planned.state for planned in chunk.rows],
            changes=[{**extra, "row": planned.row} for planned in chunk.rows],
        )
