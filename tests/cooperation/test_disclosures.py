"""The register of disclosures (Art. 5, 21, 22.2): written by a seizure export as by an
answer; never changed (the ORM and, on PostgreSQL, a trigger refuse); read by staff with its
permission; exported as escaped CSV by auditors and senior officers only, the export audited."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from cooperation.models import Disclosure, DisclosureChannel
from cooperation.services import disclosures
from licensing.exceptions import AuditTrailIsAppendOnly, PermissionDenied
from licensing.models import AuditEvent, Verb
from seizures import exchange
from seizures.models import PersonRole, SeizureCase, SeizurePerson
from seizures.services import cases as seizure_cases
from tests.cooperation.helpers import versioned_licence
from tests.factories.cooperation import CompetentAuthorityFactory
from tests.seizures.helpers import open_case

pytestmark = pytest.mark.django_db

LIST = "/admin/cooperation/disclosure/"


def a_disclosure(**fields: Any) -> Disclosure:
    values = {
        "channel": DisclosureChannel.CASE,
        "authority": CompetentAuthorityFactory(),
        "article": "28",
        "purpose": '=HYPERLINK("http://evil.example")',
        "records": ["licence TL-1"],
        **fields,
    }
    return Disclosure.objects.create(**values)


def test_a_seizure_export_is_written_to_the_register(senior: Any) -> None:
    licence, _ = versioned_licence()
    case = open_case(senior, party_kind="licensed", party=licence.holder)
    seizure_cases.add_person(
        case_id=case.pk,
        person=SeizurePerson(full_name="Tor Kristiansen", role=PersonRole.OWNER),
        by=senior,
    )
    open_case(senior)  # from nobody known
    exchange.export_cases(
        queryset=SeizureCase.objects.all(), by=senior, purpose="Tullverket, case 4711", persons=True
    )
    rows = {row.party_id: row for row in Disclosure.objects.all()}
    assert set(rows) == {licence.holder.pk, None}
    about_holder = rows[licence.holder.pk]
    assert about_holder.channel == DisclosureChannel.EXPORT
    assert about_holder.recipient == "Tullverket, case 4711"
    assert about_holder.records == [f"seizure {case.reference}"]
    assert about_holder.personal_data is True and rows[None].personal_data is False


def test_the_register_is_never_changed(senior: Any) -> None:
    row = a_disclosure()
    row.purpose = "other"
    with pytest.raises(AuditTrailIsAppendOnly):
        row.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        Disclosure.objects.filter(pk=row.pk).update(purpose="other")
    with pytest.raises(AuditTrailIsAppendOnly):
        Disclosure.objects.all().delete()


@pytest.mark.postgresql
def test_the_database_refuses_to_change_the_register() -> None:
    a_disclosure()
    for sql in (
        "UPDATE cooperation_disclosure SET purpose = 'x'",
        "DELETE FROM cooperation_disclosure",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql)
    assert Disclosure.objects.count() == 1


def test_an_auditor_exports_the_register_escaped_and_the_export_is_audited(
    client: Any, auditor: Any
) -> None:
    row = a_disclosure()
    client.force_login(auditor)
    response = client.post(LIST, {"action": "export_csv", "_selected_action": [str(row.pk)]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0]["purpose"].startswith("'=HYPERLINK")  # formula injection neutralised
    assert lines[0]["recipient"] == str(row.authority)
    assert AuditEvent.objects.filter(verb=Verb.EXPORTED).count() == 1


def test_an_officer_reads_the_register_but_may_not_export_it(client: Any, officer: Any) -> None:
    row = a_disclosure()
    client.force_login(officer)
    page = client.get(LIST).content.decode()
    assert str(row.authority) in page
    assert 'value="export_csv"' not in page
    with pytest.raises(PermissionDenied):
        disclosures.export_csv(Disclosure.objects.all(), by=officer)
    assert client.get(f"{LIST}{row.pk}/change/").status_code == 200
    assert client.post(f"{LIST}{row.pk}/delete/").status_code == 403


def test_staff_without_the_register_see_no_panel(client: Any, inspector: Any) -> None:
    licence, _ = versioned_licence()
    a_disclosure(party=licence.holder)
    client.force_login(inspector)
    page = client.get(f"/admin/licensing/party/{licence.holder.pk}/change/")
    assert page.status_code == 200
    assert b"Disclosed to other Parties" not in page.content
    with pytest.raises(PermissionDenied):
        disclosures.of_party(licence.holder, inspector)


def test_the_records_are_kept_in_english_and_read_in_the_readers_language(
    client: Any, officer: Any, compiled_messages: None
) -> None:
    licence, _ = versioned_licence()
    a_disclosure(
        party=licence.holder,
        records=[f"licence history {licence.number}", "person Ilona Kovács", "odd record"],
    )
    client.force_login(officer)
    page = f"/admin/licensing/party/{licence.holder.pk}/change/"
    norwegian = client.get(page, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert f"bevillingshistorikk {licence.number}; person Ilona Kovács; odd record" in norwegian
    hungarian = client.get(LIST, HTTP_ACCEPT_LANGUAGE="hu").content.decode()
    assert f"engedélytörténet {licence.number}; személy Ilona Kovács" in hungarian
    assert Disclosure.objects.get().records[0] == f"licence history {licence.number}"


def test_the_party_filter_offers_the_directorys_parties(client: Any, officer: Any) -> None:
    sweden = CompetentAuthorityFactory(country="SE")
    a_disclosure(authority=sweden, country="SE")
    a_disclosure(authority=CompetentAuthorityFactory(country="HU"), country="HU")
    client.force_login(officer)
    page = client.get(LIST).content.decode()
    assert "country=SE" in page and "country=HU" in page
    assert "country=ZW" not in page  # not every country in the world
    only = client.get(LIST, {"country": "SE"}).content.decode()
    assert only.count('class="field-article"') == 1
