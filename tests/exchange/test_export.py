"""Records exchange, export half (Art. 21.1(a)): permission, audit, formula escaping (a security
measure: CSV / formula injection; more in test_export_formula_safety.py)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from licensing.exchange.escaping import FORMULA_PREFIXES, escape_cell
from licensing.models import AuditEvent, Licence, Party, Verb
from tests.factories import LicenceFactory, PartyFactory

pytestmark = pytest.mark.django_db

PARTIES = reverse("admin:licensing_party_changelist")
LICENCES = reverse("admin:licensing_licence_changelist")
ACTION = "export_selected_records"
HOSTILE = [f'{prefix}HYPERLINK("http://evil.example")' for prefix in FORMULA_PREFIXES]


def export(client, url, pks, fmt):
    return client.post(
        url,
        {
            "action": ACTION,
            "_selected_action": [str(pk) for pk in pks],
            "format": fmt,
            "_export": "1",
        },
    )


def hostile_parties():
    return [PartyFactory(legal_name=name, trade_name="Ordinary name") for name in HOSTILE]


def test_escape_cell_prefixes_text_only():
    for text in HOSTILE:
        assert escape_cell(text) == "'" + text
    assert escape_cell("Tobakk Nord AS") == "Tobakk Nord AS"
    assert escape_cell(-5) == -5
    assert escape_cell(3.5) == 3.5
    assert escape_cell(None) is None


def test_csv_export_escapes_every_formula_prefix(client, senior):
    client.force_login(senior)
    parties = hostile_parties()
    response = export(client, PARTIES, [p.pk for p in parties], "csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith('attachment; filename="party-records-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(row["legal_name"] for row in rows) == sorted("'" + name for name in HOSTILE)
    assert {row["trade_name"] for row in rows} == {"Ordinary name"}
    assert {row["id"] for row in rows} == {str(p.pk) for p in parties}


def test_xlsx_export_writes_every_formula_prefix_as_text_and_keeps_numbers(client, senior):
    # Issue 14: in XLSX a quote would be a literal character; the cells are text cells instead.
    client.force_login(senior)
    parties = hostile_parties()
    response = export(client, PARTIES, [p.pk for p in parties], "xlsx")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert not re.search(r"<(\w+:)?f[\s>/]", xml)  # no formula element at all
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    name, trade, ident = header.index("legal_name"), header.index("trade_name"), header.index("id")
    # XML reads a carriage return back as a line feed; otherwise the text is exactly as held.
    expected = sorted(text.replace("\r", "\n") for text in HOSTILE)
    assert sorted(row[name] for row in rows) == expected
    assert {row[trade] for row in rows} == {"Ordinary name"}
    assert sorted(row[ident] for row in rows) == sorted(p.pk for p in parties)  # ints
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_json_export_is_not_escaped(client, senior):
    client.force_login(senior)
    party = PartyFactory(legal_name="=1+1")
    response = export(client, PARTIES, [party.pk], "json")
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)[0]["legal_name"] == "=1+1"


def test_party_export_contains_its_licences(client, senior):
    client.force_login(senior)
    licence = LicenceFactory()
    LicenceFactory()  # another holder's
    response = export(client, PARTIES, [licence.holder_id], "csv")
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert licence.number in row["licences"]
    assert row["registration_number"] == licence.holder.registration_number


def test_licence_export_holds_holder_state_validity(client, senior):
    client.force_login(senior)
    licence = LicenceFactory(suspended=True)
    response = export(client, LICENCES, [licence.pk], "csv")
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row["number"] == licence.number
    assert row["holder_legal_name"] == licence.holder.legal_name
    assert row["state"] == "suspended"
    assert row["expires_on"] == licence.expires_on.isoformat()


def test_an_export_writes_exactly_one_audit_event(client, senior):
    client.force_login(senior)
    licences = LicenceFactory.create_batch(3)
    before = AuditEvent.objects.count()
    export(client, LICENCES, [lic.pk for lic in licences], "xlsx")
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("pk")
    assert event.verb == Verb.EXPORTED
    assert event.actor == senior
    assert event.content_type == ContentType.objects.get_for_model(ContentType)
    assert event.changes["format"] == "xlsx"
    assert event.changes["records"] == 3
    assert sorted(event.changes["ids"]) == sorted(lic.pk for lic in licences)


def test_the_action_opens_a_page_to_choose_the_format(client, senior):
    client.force_login(senior)
    party = PartyFactory()
    response = client.post(PARTIES, {"action": ACTION, "_selected_action": [str(party.pk)]})
    assert response.status_code == 200
    assert 'name="format"' in response.content.decode()
    assert not AuditEvent.objects.filter(verb=Verb.EXPORTED).exists()


@pytest.mark.parametrize("url", [PARTIES, LICENCES])
def test_without_the_permission_no_action_and_a_forged_post_is_refused(client, officer, url):
    client.force_login(officer)
    licence = LicenceFactory()
    page = client.get(url)
    assert page.status_code == 200
    assert ACTION not in page.content.decode()
    pk = licence.holder_id if url == PARTIES else licence.pk
    assert export(client, url, [pk], "csv").status_code == 403
    assert not AuditEvent.objects.filter(verb=Verb.EXPORTED).exists()


def test_senior_officers_and_registrars_hold_the_permission():
    for name in ("senior officer", "registrar"):
        group = Group.objects.get(name=name)
        assert group.permissions.filter(codename="export_records").exists()
    assert (
        not Group.objects.get(name="licence officer")
        .permissions.filter(codename="export_records")
        .exists()
    )
    assert Party._meta.model_name and Licence._meta.model_name
