"""Import of an existing machine register: a dry run, errors by row and column, all rows or
none, an audit event per machine; only officers who register machines may import."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from equipment.models import Machine, MachineState
from equipment.services import imports
from licensing.exceptions import PermissionDenied
from licensing.models import AuditEvent, Verb
from tests.factories import LicenceFactory, MachineFactory, ManufacturingLicenceFactory, SiteFactory

pytestmark = pytest.mark.django_db

HEADER = "licence_number,make,model,serial_number,kind,hs_code,site,year,rated_capacity"


def csv_file(*rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("machines.csv", "\n".join([HEADER, *rows]).encode())


def test_a_dry_run_writes_nothing_and_the_import_writes_every_row(officer):
    licence = ManufacturingLicenceFactory()
    SiteFactory(party=licence.holder, name="Hall A")
    rows = (
        f"{licence.number},Hauni,Protos M8,PM8-1,maker,8478.10,Hall A,2015,480000",
        f"{licence.number},Focke,F8,F-77,packing machine,8422,,,",
    )
    checked = imports.import_machines(upload=csv_file(*rows), by=officer, dry_run=True)
    assert checked.ok and len(checked.rows) == 2
    assert not Machine.objects.exists()

    done = imports.import_machines(upload=csv_file(*rows), by=officer, dry_run=False)
    assert done.ok and len(done.machines) == 2
    machine = Machine.objects.get(serial_number="PM8-1")
    assert (machine.state, machine.licence, machine.site.name) == (
        MachineState.REGISTERED,
        licence,
        "Hall A",
    )
    event = AuditEvent.objects.for_object(machine).get(verb=Verb.IMPORTED)
    assert event.changes["sha256"] == done.sha256 and event.actor == officer


def test_one_bad_row_imports_nothing_and_every_error_is_listed(officer):
    licence = ManufacturingLicenceFactory()
    MachineFactory(make="Hauni", serial_number="PM8-9")
    rows = (
        f"{licence.number},Hauni,Protos,PM8-1,maker,8478,,,",  # good
        f"{licence.number},Hauni,Protos,pm8 9,maker,8478,,,",  # in the register already
        f"{licence.number},Hauni,Protos,PM8 1,maker,8478,,,",  # twice in the file
        f"{LicenceFactory(revoked=True).number},GD,X,1,robot,84,,19x5,",
    )
    result = imports.import_machines(upload=csv_file(*rows), by=officer, dry_run=False)
    assert not result.ok
    assert {(e.row, e.column) for e in result.errors} == {
        (3, "serial_number"),
        (4, "serial_number"),
        (5, "licence_number"),
        (5, "kind"),
        (5, "hs_code"),
        (5, "year"),
    }
    assert Machine.objects.count() == 1  # only the one that was there


def test_an_xlsx_register_is_read_and_a_formula_is_refused(officer):
    licence = ManufacturingLicenceFactory()
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append([licence.number, "Hauni", "Protos", "PM8-5", "maker", "8478", None, 2010, None])
    sheet.append([licence.number, "Hauni", "Protos", "=1+1", "maker", "8478", None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("machines.xlsx", buffer.getvalue())
    result = imports.import_machines(upload=upload, by=officer, dry_run=False)
    assert [(e.row, e.column) for e in result.errors] == [(3, "serial_number")]
    assert not Machine.objects.exists()


def test_only_officers_who_register_machines_import(officer, inspector, client):
    with pytest.raises(PermissionDenied):
        imports.import_machines(upload=csv_file(), by=inspector, dry_run=True)
    url = reverse("admin:equipment_machine_import")
    client.force_login(inspector)
    assert client.get(url).status_code == 403
    client.force_login(officer)
    assert url in client.get(reverse("admin:equipment_machine_changelist")).content.decode()
    licence = ManufacturingLicenceFactory()
    row = f"{licence.number},Hauni,Protos,PM8-1,maker,8478,,,"
    page = client.post(url, {"file": csv_file(row), "_check": "1"})
    assert page.status_code == 200 and not Machine.objects.exists()
    page = client.post(url, {"file": csv_file(row), "_import": "1"})
    assert page.status_code == 302 and Machine.objects.count() == 1
