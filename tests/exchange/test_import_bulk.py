"""The register import in bulk (Art. 9.2, 21.1(a)): streamed chunk by chunk, the same rules,
messages and row numbers as the row-by-row checks, errors across chunk boundaries, every row or
none, a bounded number of queries per chunk, and the audit trail, versions and screening keys
of what it creates."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from duediligence.models import KeyKind, ScreeningKey
from licensing.audit_hashing import event_digest
from licensing.audit_verify import verify_chain
from licensing.exchange.copying import insert
from licensing.exchange.importing import check_register
from licensing.exchange.reading import RowStream, open_rows, read_table
from licensing.models import (
    AuditChainLink,
    AuditEvent,
    LegacyImport,
    Licence,
    LicenceTerm,
    Party,
    RecordVersion,
    Site,
    Verb,
)
from licensing.services.audit import record_events
from licensing.services.import_writing import (
    RegisterRefused,
    check_register_file,
    write_register_file,
)
from tests.exchange.legacy_files import company, csv_bytes, person, today, xlsx_from_dicts
from tests.factories import LicenceFactory, PartyFactory, SiteFactory

pytestmark = pytest.mark.django_db


def check(content: bytes, name: str = "register.csv", **kwargs: Any):
    return check_register_file(io.BytesIO(content), name, **kwargs)


def legacy_import(by, content: bytes) -> LegacyImport:
    return LegacyImport.objects.create(
        file=f"imports/{uuid.uuid4().hex}",
        original_name="register.csv",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=by,
    )


def write(content: bytes, by, name: str = "register.csv", **kwargs: Any) -> dict[str, int]:
    legacy = legacy_import(by, content)
    with transaction.atomic():
        return write_register_file(io.BytesIO(content), name, legacy=legacy, by=by, **kwargs)


def row_by_row(content: bytes, name: str = "register.csv") -> list[tuple[int, str, str]]:
    """The errors of the row-by-row checks (``LegacyRowForm`` and ``full_clean`` per row)."""
    return [(e.row, e.column, e.message) for e in check_register(read_table(content, name)).errors]


def in_bulk(content: bytes, name: str = "register.csv") -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in check(content, name).errors]


# Same rules, same messages, same rows.

EDGE_ROWS = [
    company("E-1", email="not an address", valid_from="01.02.2020"),
    person("E-2", date_of_birth=""),
    company("E 3", country="XX", registration_number=""),
    company("E-4", site_postal_code=""),
    company("E-5", place_of_incorporation="", holder_kind="LEGAL", registration_number="1"),
    company("E-6", activities="import;smuggling", registration_number="2"),
    company("E-7", state="transferred", registration_number="3"),
    company("E-8", state="active", expires_on=(today() - dt.timedelta(days=1)).isoformat()),
    company("E-9", state="expired", registration_number="4"),
    company("E-10", valid_from="2030-01-02", expires_on="2030-01-01", registration_number="5"),
    company("e-11", legal_name="Another name AS"),  # the holder of row 2 by number
    company("E-1"),  # a number twice
    company("E-13", email="x" * 250 + "@example.org", registration_number="6"),
    company("E-14", preferred_language="fr", site_kind="castle", registration_number="7"),
    company("E-15", valid_from="2020-02-30", registration_number="8"),
    company("E-16", legal_name="", trade_name="T" * 201, registration_number="9"),
    company("E-17", site_country="ZZ", registration_number="10"),
    person("E-18", holder_kind="natural", date_of_birth="1970-1-2"),
    company("OLD-1", registration_number="11"),
    company(
        "E-20", registration_number="555 666", holder_kind="natural", date_of_birth="1970-01-01"
    ),
    company("E-21", registration_number="777888"),
    company("TL-2024-000001-X", registration_number="12"),
]


def test_every_rule_gives_the_same_errors_in_bulk_as_row_by_row(settings):
    LicenceFactory(number="OLD-1")
    PartyFactory(registration_number="555-666", country="NO", kind="legal")
    PartyFactory(registration_number="777.888", country="NO")
    PartyFactory(registration_number="777 888", country="NO")
    content = csv_bytes(EDGE_ROWS)
    expected = row_by_row(content)
    assert len(expected) > 20
    settings.IMPORT_CHUNK_ROWS = 3  # the rules hold across chunks too
    assert in_bulk(content) == expected


def test_a_good_file_has_the_same_summary_in_bulk_as_row_by_row(settings):
    holder = PartyFactory(registration_number="987 654 321", country="NO")
    SiteFactory(
        party=holder,
        name="Honningsvåg lager",
        street_address="Havnegata 3",
        postal_code="9750",
        municipality="Nordkapp",
        country="NO",
    )
    rows = [company("G-1"), person("G-2"), company("G-3", site_name="Second store")]
    rows += [person(f"P-{n}", legal_name=f"Person {n}", state="revoked") for n in range(12)]
    content = csv_bytes(rows)
    expected = check_register(read_table(content, "register.csv")).summary()
    settings.IMPORT_CHUNK_ROWS = 4
    checked = check(content)
    assert checked.ok and checked.error_count == 0 and checked.row_count == 15
    assert checked.summary() == expected
    assert expected["matched_parties"] == 1 and expected["matched_sites"] == 1


def test_header_problems_and_an_empty_file_are_reported_as_before():
    content = b"number,holder_kind,legal_nmae\nA-1,legal,X\n"
    assert in_bulk(content) == row_by_row(content)
    header_only = csv_bytes([])
    assert in_bulk(header_only) == [(0, "", "The file has a header but no rows.")]
    assert check(b"", "register.csv").errors[0].message == "The file is empty."


def test_an_xlsx_workbook_is_read_as_a_stream():
    checked = check(xlsx_from_dicts([company("X-1"), person("X-2")]), "register.xlsx")
    assert checked.ok and checked.file_format == "xlsx" and checked.row_count == 2


# Across chunk boundaries.


def test_a_number_twice_in_two_chunks_is_reported_on_the_later_row(settings, senior):
    settings.IMPORT_CHUNK_ROWS = 2
    rows = [company("D-1"), person("D-2"), person("D-3", legal_name="Kari"), company("d-1")]
    errors = in_bulk(csv_bytes(rows))
    assert errors == [(5, "number", "Licence number D-1 is also on row 2.")]
    with pytest.raises(RegisterRefused) as refused:
        write(csv_bytes(rows), senior)
    assert [(e.row, e.column) for e in refused.value.errors] == [(5, "number")]


def test_a_holder_given_two_names_in_two_chunks_is_refused(settings):
    settings.IMPORT_CHUNK_ROWS = 2
    rows = [company("N-1"), person("N-2"), company("N-3", legal_name="Another Company AS")]
    assert in_bulk(csv_bytes(rows)) == [
        (4, "legal_name", "Row 2 gives this holder's registration number for another name.")
    ]


def test_a_holder_and_its_site_over_several_chunks_are_created_once(settings, senior):
    settings.IMPORT_CHUNK_ROWS = 2
    rows = [company(f"H-{n}") for n in range(5)] + [person("H-9")]
    counts = write(csv_bytes(rows), senior)
    assert counts == {"licences": 6, "parties_created": 2, "parties_matched": 0, "sites_created": 1}
    site = Site.objects.get()
    for licence in Licence.objects.filter(number__startswith="H-").exclude(number="H-9"):
        assert licence.holder_id == site.party_id
        assert list(licence.sites.all()) == [site]


def test_kept_errors_are_capped_and_all_are_counted(settings):
    settings.IMPORT_MAX_KEPT_ERRORS = 3
    settings.IMPORT_CHUNK_ROWS = 2
    checked = check(csv_bytes([company(f"C-{n}", email="nope") for n in range(7)]))
    assert not checked.ok
    assert checked.error_count == 7 and len(checked.errors) == 3 and checked.errors_truncated
    assert [e.row for e in checked.errors] == [2, 3, 4]


def test_progress_is_told_after_each_chunk(settings):
    settings.IMPORT_CHUNK_ROWS = 2
    seen: list[int] = []
    check(csv_bytes([company(f"C-{n}") for n in range(5)]), progress=seen.append)
    assert seen == [2, 4, 5]


# Every row or none.


def test_an_error_in_the_last_chunk_leaves_nothing_written(settings, senior):
    settings.IMPORT_CHUNK_ROWS = 2
    rows = [company("A-1"), person("A-2"), company("A-3"), person("A-4", email="no")]
    events_before = AuditEvent.objects.count()
    with pytest.raises(RegisterRefused) as refused:
        write(csv_bytes(rows), senior)
    assert [(e.row, e.column) for e in refused.value.errors] == [(5, "email")]
    assert not Licence.objects.exists() and not Party.objects.exists()
    assert not Site.objects.exists() and not LicenceTerm.objects.exists()
    assert not RecordVersion.objects.exists() and not ScreeningKey.objects.exists()
    assert AuditEvent.objects.count() == events_before


def test_a_number_issued_before_the_write_is_caught_when_writing(settings, senior):
    content = csv_bytes([company("T-1"), person("T-2"), company("T-3")])
    assert check(content).ok
    LicenceFactory(number="T-3")
    parties, events = Party.objects.count(), AuditEvent.objects.count()
    settings.IMPORT_CHUNK_ROWS = 1  # two chunks are written before the third is refused
    with pytest.raises(RegisterRefused) as refused:
        write(content, senior)
    assert [e.as_dict() for e in refused.value.errors] == [
        {"row": 4, "column": "number", "message": "A licence with the number T-3 already exists."}
    ]
    assert list(Licence.objects.values_list("number", flat=True)) == ["T-3"]
    assert Party.objects.count() == parties and AuditEvent.objects.count() == events
    assert not Site.objects.exists() and not ScreeningKey.objects.exists()
    assert not RecordVersion.objects.exists()


def _queries_of_write(senior, rows: list[dict[str, Any]]) -> int:
    content = csv_bytes(rows)
    legacy = legacy_import(senior, content)
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        write_register_file(io.BytesIO(content), "register.csv", legacy=legacy, by=senior)
    return len(captured)


def test_the_queries_grow_with_the_chunks_not_the_rows(
    settings, senior, django_assert_max_num_queries
):
    PartyFactory(registration_number="123456789", country="NO", legal_name="On Record AS")

    def register(size: int, tag: str) -> list[dict[str, Any]]:
        # New holders with sites, second licences, a holder on record, a natural person.
        rows = [
            company(f"{tag}-{n}", registration_number=f"{tag}{n:08}", site_name=f"Store {n}")
            for n in range(size - 4)
        ]
        rows += [company(f"{tag}-A", registration_number=f"{tag}00000000")]  # its second one
        rows += [company(f"{tag}-R", registration_number="123456789", legal_name="On Record AS")]
        rows += [person(f"{tag}-P", legal_name=f"Kari {tag}"), person(f"{tag}-Q")]
        return rows

    # Three chunks each time, of 4 rows and then of 8: the same statements (references
    # resolved with one query per chunk, each table written with one statement per chunk).
    settings.IMPORT_CHUNK_ROWS = 4
    # A first import fills what is made once per process or database (the content types'
    # cache, the identifier codes' counter): not what this test measures.
    _queries_of_write(senior, register(8, "W"))
    small = _queries_of_write(senior, register(12, "S"))
    settings.IMPORT_CHUNK_ROWS = 8
    large = _queries_of_write(senior, register(24, "L"))
    assert small == large
    # Per chunk: numbers in use, parties on record, their sites; then ids and rows of parties,
    # sites and licences, versions and events of each, licence sites, terms and keys. Once:
    # the parties on record are read to match on. Reg. (EU) 2018/574 Art. 15, 17 add up to nine
    # per chunk for the identifier codes of the live licences (licensing/services/
    # identifier_bulk.py): the holders with their codes, their tax numbers, the sites without a
    # code, the pool's counter (three), and one insert each of codes of both kinds and messages
    # (on PostgreSQL two of those inserts take their ids first: eleven).
    assert large <= 3 * (22 + 9) + 2
    content = csv_bytes(register(24, "L"))
    with django_assert_max_num_queries(3 * 4 + 2):
        assert check(content).error_count == 24  # every number is now taken


def test_the_file_is_read_a_chunk_at_a_time_and_each_chunk_written_before_the_next(
    settings, senior, monkeypatch
):
    """Bounded memory: what is in hand at any time is one chunk of rows, not the register."""
    settings.IMPORT_CHUNK_ROWS = 2
    read = 0

    def counting_rows(file: Any, filename: str) -> RowStream:
        stream = open_rows(file, filename)

        def rows() -> Iterator[Any]:
            nonlocal read
            for row in stream.rows:
                read += 1
                yield row

        return RowStream(file_format=stream.file_format, headers=stream.headers, rows=rows())

    written: list[tuple[int, int]] = []  # (licences in the statement, rows read by then)

    def recording_insert(objs: Any, **kwargs: Any) -> None:
        if objs and isinstance(objs[0], Licence):
            written.append((len(objs), read))
        insert(objs, **kwargs)

    monkeypatch.setattr("licensing.services.import_writing.open_rows", counting_rows)
    monkeypatch.setattr("licensing.services.import_writing.insert", recording_insert)
    write(csv_bytes([company(f"B-{n}") for n in range(5)]), senior)
    assert written == [(2, 2), (2, 4), (1, 5)]
    assert Licence.objects.filter(number__startswith="B-").count() == 5


# What the records created carry.


def test_created_records_have_their_events_versions_and_screening_keys(senior):
    legacy = legacy_import(senior, b"")
    content = csv_bytes([company("R-1"), person("R-2")])
    with transaction.atomic():
        write_register_file(io.BytesIO(content), "register.csv", legacy=legacy, by=senior)
    party = Party.objects.get(registration_number="987654321")
    site = Site.objects.get()
    licence = Licence.objects.get(number="R-2")
    assert party.approved_at is not None
    assert licence.legacy_import == legacy and licence.application is None
    assert licence.issued_by is None and licence.predecessor is None
    # Each record its own public id (a default called for each, not one shared).
    assert len({p.public_id for p in Party.objects.all()}) == 2
    assert len({lic.public_id for lic in Licence.objects.all()}) == 2
    assert timezone.localtime(licence.issued_at).date() == licence.valid_from
    (term,) = LicenceTerm.objects.filter(licence=licence)
    assert (term.valid_from, term.expires_on) == (licence.valid_from, licence.expires_on)

    imported = AuditEvent.objects.filter(verb=Verb.IMPORTED)
    assert imported.filter(content_type__model="party").count() == 2
    assert imported.filter(content_type__model="site").count() == 1
    event = imported.get(content_type__model="licence", object_id=str(licence.pk))
    assert (event.actor, event.actor_label, event.to_state) == (senior, "senior", "active")
    assert event.object_repr == "R-2"
    assert event.changes == {
        "import": str(legacy.public_id),
        "file": "register.csv",
        "sha256": legacy.sha256,
        "row": 3,
    }
    assert imported.get(object_id=str(party.pk), content_type__model="party").changes["row"] == 2

    versions = RecordVersion.objects.filter(party=party)
    assert {(v.record_type, v.record_id, v.version, v.source) for v in versions} == {
        ("licensing.party", party.pk, 1, "import"),
        ("licensing.site", site.pk, 1, "import"),
    }
    assert versions.get(record_type="licensing.party").data["legal_name"] == party.legal_name

    # The keys are those that indexing the party from its records writes.
    from duediligence.services.indexing import index_parties

    keys = set(ScreeningKey.objects.filter(party=party).values_list("kind", "value", "source_id"))
    assert (KeyKind.REGISTRATION, "NO:987654321", party.pk) in keys
    assert (KeyKind.ADDRESS, "no 9750 havnegata 3", site.pk) in keys
    index_parties([party.pk])
    after = set(ScreeningKey.objects.filter(party=party).values_list("kind", "value", "source_id"))
    assert after == keys


def test_a_site_for_a_holder_on_record_adds_its_address_key(senior):
    holder = PartyFactory(registration_number="987654321", country="NO")
    write(csv_bytes([company("S-1")]), senior)
    site = Site.objects.get(party=holder)
    keys = ScreeningKey.objects.filter(source_id=site.pk, kind=KeyKind.ADDRESS)
    assert list(keys.values_list("party_id", flat=True)) == [holder.pk]


def test_the_audit_chain_verifies_after_an_import(
    settings, senior, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("licensing.audit_chain.BATCH", 3)  # linked over several batches
    settings.IMPORT_CHUNK_ROWS = 2
    rows = [company("V-1"), person("V-2"), person("V-3", legal_name="Kari"), company("V-4")]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        write(csv_bytes(rows), senior)
    assert len(callbacks) == 1  # one linking for the whole import
    events = AuditEvent.objects.filter(verb=Verb.IMPORTED)
    assert events.count() == 4 + 3 + 1  # licences, parties, the site
    assert AuditChainLink.objects.filter(event__in=events).count() == 8
    report = verify_chain()
    assert report.ok and report.events_verified >= 8


def test_events_written_in_bulk_carry_the_digests_their_save_would_compute(senior, monkeypatch):
    calls: list[Any] = []

    def counted(event: Any, key: Any = None) -> str:
        calls.append(event)
        return event_digest(event, key)

    monkeypatch.setattr("licensing.services.audit.event_digest", counted)
    parties = [
        PartyFactory(legal_name='Ærø "Tobakk" \\ AS\u2028', trade_name=""),
        PartyFactory(legal_name="\uff26ull width Kft.", trade_name="x" * 199),
    ]
    changes = [{"row": 2, "share": 1.0, "z": [1e20, 0.5]}, {"a": None, "ü": "é"}]
    record_events(parties, verb=Verb.IMPORTED, by=senior, changes=changes, to_states=["", "x"])
    events = AuditEvent.objects.filter(verb=Verb.IMPORTED).order_by("pk")
    assert [e.object_repr for e in events] == [str(p)[:200] for p in parties]
    assert [e.to_state for e in events] == ["", "x"]
    for event in events:
        assert event.digest == event_digest(event)
    assert len(calls) == 1  # the first event checks the shortcut the others take
