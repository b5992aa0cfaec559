"""Import of a legacy licence register (Art. 9.2, 21.1(a)) through its services: every row or
none, errors by row and column, the two steps, holders and sites matched, states as given. The
check runs in this process (``stage_import``); the write is its job, run eagerly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError

from licensing import tasks
from licensing.exceptions import PermissionDenied
from licensing.models import (
    AuditEvent,
    ImportState,
    LegacyImport,
    Licence,
    LicenceTerm,
    Party,
    Site,
    Verb,
)
from licensing.services import import_jobs
from licensing.services.legacy_import import ImportNotPending, confirm_import, stage_import
from licensing.services.retention import purge_unreferenced_uploads
from tests.exchange.legacy_files import (
    EXAMPLE,
    EXAMPLE_DAY,
    company,
    csv_bytes,
    person,
    today,
    upload,
    xlsx_bytes,
)
from tests.factories import LicenceFactory, PartyFactory, SiteFactory

pytestmark = pytest.mark.django_db


def stage(content: bytes, by, name: str = "register.csv"):
    return stage_import(upload=upload(content, name), by=by)


def confirmed(import_id: int, by) -> LegacyImport:
    """The confirmation, then its write job (queued on commit, run here at once)."""
    confirm_import(import_id=import_id, by=by)
    tasks.write_legacy_import.delay(import_id)
    return LegacyImport.objects.get(pk=import_id)


def imported(content: bytes, by, name: str = "register.csv") -> LegacyImport:
    dry_run = stage(content, by, name)
    assert dry_run.errors == []
    return confirmed(dry_run.legacy_import.pk, by)


def errors_of(dry_run) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in dry_run.errors]


def nothing_written(parties_before: int = 0) -> None:
    assert not Licence.objects.exists()
    assert Party.objects.count() == parties_before
    assert not Site.objects.filter(name__contains="Honningsvåg").exists()
    assert not LegacyImport.objects.exclude(state=ImportState.REFUSED).exists()


# A good file, all of it.


def test_the_example_file_in_the_docs_imports_every_licence(senior, time_machine):
    time_machine.move_to(EXAMPLE_DAY, tick=False)
    result = imported(EXAMPLE.read_bytes(), senior, "legacy.csv")

    assert result.state == ImportState.IMPORTED
    licences = {lic.number: lic for lic in Licence.objects.select_related("holder")}
    assert set(licences) == {"OSL/2019/0042", "OSL/2019/0043", "OSL/2015/0007", "BUD-2018-117"}
    assert {n: lic.state for n, lic in licences.items()} == {
        "OSL/2019/0042": "active",
        "OSL/2019/0043": "suspended",
        "OSL/2015/0007": "expired",
        "BUD-2018-117": "revoked",
    }
    # Two rows of one holder (its number once with spaces) make one party; its site is one.
    fjord = licences["OSL/2019/0042"].holder
    assert licences["OSL/2019/0043"].holder == fjord
    assert Party.objects.count() == 3
    assert fjord.date_of_incorporation == dt.date(2004, 3, 1)
    assert fjord.preferred_language == "nb"
    assert list(licences["OSL/2019/0042"].sites.all()) == list(
        licences["OSL/2019/0043"].sites.all()
    )
    assert Site.objects.count() == 2
    kari = licences["OSL/2015/0007"].holder
    assert (kari.kind, kari.date_of_birth) == ("natural", dt.date(1971, 9, 23))
    assert licences["BUD-2018-117"].activities == ["distribution", "transport"]
    assert not licences["BUD-2018-117"].sites.exists()
    for licence in licences.values():
        assert licence.application is None and licence.legacy_import == result
        (term,) = LicenceTerm.objects.filter(licence=licence)
        assert (term.valid_from, term.expires_on) == (licence.valid_from, licence.expires_on)


def test_each_record_and_the_import_have_their_audit_events(senior):
    result = imported(csv_bytes([company("A-1"), person("A-2")]), senior)

    licence_events = AuditEvent.objects.filter(verb=Verb.IMPORTED, content_type__model="licence")
    assert licence_events.count() == 2
    event = licence_events.get(object_repr="A-2")
    assert event.actor == senior and event.to_state == "active"
    assert event.changes["import"] == str(result.public_id)
    assert event.changes["sha256"] == result.sha256
    assert event.changes["row"] == 3  # the header is row 1
    assert AuditEvent.objects.filter(verb=Verb.IMPORTED, content_type__model="party").count() == 2
    trail = list(AuditEvent.objects.for_object(result).values_list("verb", "to_state"))
    assert trail == [(Verb.CREATED, "uploaded"), (Verb.IMPORTED, "imported")]
    assert result.confirmed_by == senior and result.row_count == 2


def test_imported_licensees_are_approved_with_their_records_as_version_1(senior):
    """Art. 9: the authority knows, from the import on, what the register said; a later draft
    of an imported licensee proposes changes instead of writing them."""
    from licensing.as_of import party_as_of
    from licensing.models import Party, RecordVersion

    imported(csv_bytes([company("A-1")]), senior)
    party = Party.objects.get()
    assert party.approved_at is not None
    versions = RecordVersion.objects.filter(party=party)
    assert {v.record_type for v in versions} == {"licensing.party", "licensing.site"}
    assert {v.source for v in versions} == {"import"}
    known = party_as_of(party.pk)
    assert known is not None and known.party.legal_name == party.legal_name


def test_an_xlsx_workbook_imports_with_date_and_number_cells(senior):
    row = company("XL-7")
    values = [row[h] for h in row]
    headers = list(row)
    # Dates as date cells, the registration number as a number, as spreadsheets keep them.
    values[headers.index("valid_from")] = today() - dt.timedelta(days=10)
    values[headers.index("expires_on")] = dt.datetime.combine(today(), dt.time()) + dt.timedelta(
        days=700
    )
    values[headers.index("registration_number")] = 987654321
    result = imported(xlsx_bytes([values], headers=headers), senior, "register.xlsx")

    licence = Licence.objects.get(number="XL-7")
    assert result.file_format == "xlsx"
    assert licence.valid_from == today() - dt.timedelta(days=10)
    assert licence.holder.registration_number == "987654321"
    assert licence.sites.get().name == "Honningsvåg lager"


def test_semicolons_a_byte_order_mark_and_lower_case_numbers_are_read(senior):
    content = csv_bytes([company("hx/12.b", state="Active")], delimiter=";", bom=True)
    imported(content, senior)
    assert Licence.objects.get().number == "HX/12.B"


def test_a_holder_on_record_is_matched_by_country_and_registration_number(senior):
    holder = PartyFactory(registration_number="987 654 321", country="NO", legal_name="Old name")
    site = SiteFactory(
        party=holder,
        name="Honningsvåg lager",
        street_address="Havnegata 3",
        postal_code="9750",
        municipality="Nordkapp",
        country="NO",
    )
    dry_run = stage(csv_bytes([company("M-1"), company("M-2", site_name="Second store")]), senior)
    assert dry_run.legacy_import.summary["matched_parties"] == 1
    assert dry_run.legacy_import.summary["new_parties"] == 0
    assert dry_run.legacy_import.summary["new_sites"] == 1

    confirmed(dry_run.legacy_import.pk, senior)
    assert Party.objects.count() == 1
    assert Party.objects.get().legal_name == "Old name"  # the record is not overwritten
    assert list(Licence.objects.get(number="M-1").sites.all()) == [site]
    assert Site.objects.filter(party=holder).count() == 2


# One bad row: nothing.


def test_one_bad_row_imports_nothing_and_names_its_row_and_column(senior):
    rows = [company("G-1"), company("G-2", activities="import;smuggling"), company("G-3")]
    dry_run = stage(csv_bytes(rows), senior)

    assert dry_run.legacy_import.state == ImportState.REFUSED
    (error,) = dry_run.errors
    assert (error.row, error.column) == (3, "activities")
    assert "smuggling" in error.message
    nothing_written()
    assert dry_run.legacy_import.report == [error.as_dict()]  # kept, with its report


def test_every_error_is_reported_not_only_the_first(senior):
    rows = [
        company("E-1", email="not an address", valid_from="01.02.2020"),
        person("E-2", date_of_birth=""),
        company("E 3", country="XX", registration_number=""),
        company("E-4", site_postal_code=""),
    ]
    dry_run = stage(csv_bytes(rows), senior)
    assert errors_of(dry_run) == [
        (2, "email"),
        (2, "valid_from"),
        (3, "date_of_birth"),
        (4, "number"),
        (4, "country"),
        (5, "site_postal_code"),
    ]
    assert "YYYY-MM-DD" in dry_run.errors[1].message
    nothing_written()


def test_a_legal_person_without_its_art_6_3_b_ii_details_is_refused(senior):
    dry_run = stage(csv_bytes([company("L-1", place_of_incorporation="")]), senior)
    assert errors_of(dry_run) == [(2, "place_of_incorporation")]
    assert dry_run.errors[0].message == "Required for a legal person."


def test_missing_and_unknown_columns_are_reported_on_the_header_row(senior):
    content = b"number,holder_kind,legal_nmae\nA-1,legal,X\n"
    dry_run = stage(content, senior)
    columns = {e.column for e in dry_run.errors}
    assert {e.row for e in dry_run.errors} == {1}
    assert "legal_nmae" in columns and "legal_name" in columns and "state" in columns


def test_the_same_number_twice_in_the_file_is_reported_on_the_second_row(senior):
    dry_run = stage(csv_bytes([company("D-1"), person("D-2"), company("d-1 ")]), senior)
    (error,) = dry_run.errors
    assert (error.row, error.column) == (4, "number")
    assert "also on row 2" in error.message
    nothing_written()


def test_a_number_already_on_record_is_refused(senior):
    existing = LicenceFactory(number="OLD-1")
    dry_run = stage(csv_bytes([company("OLD-1")]), senior)
    assert errors_of(dry_run) == [(2, "number")]
    assert "already exists" in dry_run.errors[0].message
    assert Licence.objects.get() == existing


def test_one_registration_number_for_two_names_is_refused(senior):
    rows = [company("N-1"), company("N-2", legal_name="Another Company AS")]
    dry_run = stage(csv_bytes(rows), senior)
    assert errors_of(dry_run) == [(3, "legal_name")]
    assert "Row 2" in dry_run.errors[0].message


@pytest.mark.parametrize(
    ("state", "expires_in_days", "valid"),
    [
        ("active", -1, False),
        ("suspended", 0, False),
        ("active", 1, True),
        ("expired", 5, False),
        ("expired", 0, True),
        ("revoked", 30, True),
        ("surrendered", -30, True),
        ("transferred", 30, False),  # a transfer needs its successor here (Art. 6.4)
    ],
)
def test_the_state_must_agree_with_the_expiry_date(senior, state, expires_in_days, valid):
    expires_on = today() + dt.timedelta(days=expires_in_days)
    row = company("S-1", state=state, expires_on=expires_on.isoformat())
    dry_run = stage(csv_bytes([row]), senior)
    assert (dry_run.errors == []) is valid
    if not valid:
        assert errors_of(dry_run) == [(2, "state")]


def test_a_licence_cannot_expire_before_it_is_valid(senior):
    row = company("V-1", valid_from="2030-01-02", expires_on="2030-01-01")
    assert errors_of(stage(csv_bytes([row]), senior)) == [(2, "expires_on")]


@pytest.mark.parametrize("number", ["", "-A1", "A" * 33, "A 1", "NO:1", "Ø-1", "A#1"])
def test_a_malformed_number_is_refused(senior, number):
    assert errors_of(stage(csv_bytes([company(number)]), senior)) == [(2, "number")]


def test_a_number_of_the_native_form_is_refused(senior):
    """Numbers of the form this system issues could collide with one it issues later."""
    native = LicenceFactory.build().number
    dry_run = stage(csv_bytes([company(native)]), senior)
    assert errors_of(dry_run) == [(2, "number")]
    assert "this system issues" in dry_run.errors[0].message


# Dry run, then confirmation.


def test_the_dry_run_writes_nothing_but_the_staged_import(senior):
    dry_run = stage(csv_bytes([company("R-1"), person("R-2")]), senior)
    staged = dry_run.legacy_import
    assert staged.state == ImportState.VALIDATED
    assert staged.summary["licences"] == 2 and staged.summary["new_parties"] == 2
    assert [row["number"] for row in staged.summary["first_rows"]] == ["R-1", "R-2"]
    assert not Licence.objects.exists() and not Party.objects.exists()
    stored = Path(settings.MEDIA_ROOT) / staged.file.name
    assert staged.file.name.startswith("imports/") and "register" not in staged.file.name
    assert stored.read_bytes() == csv_bytes([company("R-1"), person("R-2")])


def test_confirmation_checks_again_and_imports_nothing_when_a_number_was_taken(senior):
    dry_run = stage(csv_bytes([company("T-1"), company("T-2")]), senior)
    LicenceFactory(number="T-2")  # issued meanwhile

    result = confirmed(dry_run.legacy_import.pk, senior)
    assert result.state == ImportState.FAILED
    assert result.report == [
        {"row": 3, "column": "number", "message": "A licence with the number T-2 already exists."}
    ]
    assert list(Licence.objects.values_list("number", flat=True)) == ["T-2"]
    assert not Party.objects.filter(registration_number="987654321").exists()
    assert AuditEvent.objects.for_object(result).last().verb == Verb.IMPORT_FAILED
    with pytest.raises(ImportNotPending):  # a refused import stays refused
        confirm_import(import_id=result.pk, by=senior)


def test_a_confirmed_import_cannot_be_confirmed_again(senior, senior2):
    dry_run = stage(csv_bytes([company("C-1")]), senior)
    confirmed(dry_run.legacy_import.pk, senior)
    with pytest.raises(ImportNotPending):
        confirm_import(import_id=dry_run.legacy_import.pk, by=senior2)
    assert Licence.objects.count() == 1
    assert AuditEvent.objects.filter(verb=Verb.IMPORTED, content_type__model="licence").count() == 1


def test_a_stored_file_that_changed_is_not_imported(senior):
    dry_run = stage(csv_bytes([company("F-1")]), senior)
    path = Path(settings.MEDIA_ROOT) / dry_run.legacy_import.file.name
    path.write_bytes(csv_bytes([company("F-1"), company("F-2")]))
    result = confirmed(dry_run.legacy_import.pk, senior)
    assert result.state == ImportState.FAILED
    assert "not the file that was checked" in result.report[0]["message"]
    assert not Licence.objects.exists()


def test_an_error_while_writing_rolls_everything_back(senior, monkeypatch):
    """Fault injection: the database refuses the register after every row was written."""
    dry_run = stage(csv_bytes([company("W-1"), person("W-2")]), senior)
    real_write = import_jobs.write_register_file

    def refuse_at_the_end(*args, **kwargs):
        real_write(*args, **kwargs)
        assert Licence.objects.count() == 2
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(import_jobs, "write_register_file", refuse_at_the_end)
    result = confirmed(dry_run.legacy_import.pk, senior)
    assert result.state == ImportState.FAILED
    assert "simulated failure" in result.report[0]["message"]
    assert not Licence.objects.exists() and not Party.objects.exists()


def test_the_staged_file_is_kept_by_the_purge_of_unreferenced_uploads(senior, time_machine):
    staged = stage(csv_bytes([company("P-1")]), senior).legacy_import
    time_machine.move_to(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=30), tick=False)
    assert purge_unreferenced_uploads(older_than=dt.timedelta(hours=1)) == []
    assert (Path(settings.MEDIA_ROOT) / staged.file.name).is_file()


# Who may import.


@pytest.mark.parametrize("role", ["officer", "registrar", "auditor"])
def test_only_senior_officers_may_import_in_the_service(request, senior, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        stage(csv_bytes([company("Q-1")]), user)
    staged = stage(csv_bytes([company("Q-1")]), senior).legacy_import
    with pytest.raises(PermissionDenied):
        confirm_import(import_id=staged.pk, by=user)
    assert LegacyImport.objects.get().state == ImportState.VALIDATED
    assert not Licence.objects.exists()
