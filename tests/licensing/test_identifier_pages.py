"""Where the tracking-and-tracing identifier codes appear (Commission Implementing Regulation
(EU) 2018/574, Chapter III): the printed licence, the public verification page (a legal
person's codes only; a natural person's are personal data, Protocol Art. 5), the admin's export
of the registry's messages (Art. 15(3), 17(3): the registry the ID issuer keeps), the register
exports, and the legacy register import, which codes its live licences in bulk."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from licensing.exchange.escaping import FORMULA_PREFIXES
from licensing.exchange.export import export_records
from licensing.identifiers import facility_codes, operator_code
from licensing.models import (
    AuditEvent,
    Licence,
    MessageType,
    OperatorCode,
    Party,
    RegistryMessage,
    Verb,
)
from licensing.registry_fields import EXPORT_FIELDS
from licensing.services.identifiers import sync_party_codes
from licensing.services.printing import licence_pdf
from tests.documents.test_printing import pdf_text
from tests.exchange.legacy_files import company, csv_bytes, person, today
from tests.exchange.test_import_bulk import write
from tests.factories import LicenceFactory, PartyFactory, SiteFactory
from tests.verify.test_verify import natural_holder

pytestmark = pytest.mark.django_db

MESSAGES = reverse("admin:licensing_registrymessage_changelist")


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()


def coded(holder: Any = None, sites: int = 1) -> Licence:
    """An active licence whose holder and sites have their codes (Art. 15, 17)."""
    holder = holder or PartyFactory(approved=True)
    licence = LicenceFactory(holder=holder, sites=[SiteFactory(party=holder) for _ in range(sites)])
    sync_party_codes(party_id=holder.pk, reason=licence.number)
    return licence


def test_the_printed_licence_shows_the_holders_and_each_sites_code() -> None:
    licence = coded(sites=2)
    text = pdf_text(licence_pdf(licence_id=licence.pk))
    assert "Economic operator identifier" in text
    assert operator_code(licence.holder) in text
    for code in facility_codes(licence.sites.all()).values():
        assert code in text


def test_the_verification_page_shows_a_legal_persons_codes(client: Any) -> None:
    licence = coded()
    page = client.get(reverse("verify:licence", args=[licence.number])).content.decode()
    eo = operator_code(licence.holder)
    (f_id,) = facility_codes(licence.sites.all()).values()
    assert eo and eo in page and f_id in page
    data = client.get(reverse("verify:licence_json", args=[licence.number])).json()
    assert data["identifier_codes"] == {"operator": eo, "facilities": [f_id]}


def test_a_natural_persons_codes_are_never_shown(client: Any) -> None:
    # Protocol Art. 5: a private individual's identifiers are personal data.
    licence = coded(holder=natural_holder())
    eo = operator_code(licence.holder)
    (f_id,) = facility_codes(licence.sites.all()).values()
    page = client.get(reverse("verify:licence", args=[licence.number])).content.decode()
    data = client.get(reverse("verify:licence_json", args=[licence.number])).content.decode()
    for text in (page, data):
        assert eo not in text and f_id not in text


def test_the_verification_of_a_coded_licence_is_still_one_query(
    client: Any, django_assert_num_queries: Any
) -> None:
    licence = coded()
    with django_assert_num_queries(1):
        page = client.get(reverse("verify:licence", args=[licence.number])).content.decode()
    assert operator_code(licence.holder) in page


def export(client: Any, action: str, ids: list[int]) -> Any:
    return client.post(MESSAGES, {"action": action, "_selected_action": [str(pk) for pk in ids]})


@pytest.mark.parametrize("who", ["senior", "registrar"])
def test_the_registry_messages_download_as_csv_and_json_in_the_registrys_fields(
    request: pytest.FixtureRequest, client: Any, who: str
) -> None:
    # Annex II, Chapter II, Section 1: the field names of messages 1-1 to 1-9.
    hostile = FORMULA_PREFIXES[0] + 'HYPERLINK("http://evil.example")'
    coded(PartyFactory(approved=True, legal_name=hostile))
    user = request.getfixturevalue(who)
    client.force_login(user)
    ids = list(RegistryMessage.objects.order_by("pk").values_list("pk", flat=True))
    response = export(client, "export_messages_csv", ids)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == list(EXPORT_FIELDS)
    assert [row[0] for row in rows[1:]] == [MessageType.EO_REGISTRATION, MessageType.F_REGISTRATION]
    eo_name = rows[1][EXPORT_FIELDS.index("EO_Name1")]
    assert eo_name == "'" + hostile  # escaped as every CSV export (escaping.py)
    response = export(client, "export_messages_json", ids)
    data = json.loads(response.content)
    assert data[0]["Message_Type"] == "1-1" and data[0]["EO_Name1"] == hostile  # as kept
    assert data[1]["F_ID"] and data[1]["EO_ID"] == data[0]["EO_ID"]
    events = AuditEvent.objects.filter(verb=Verb.EXPORTED, actor=user)
    assert [event.changes["format"] for event in events.order_by("pk")] == ["csv", "json"]


@pytest.mark.parametrize("who", ["officer", "auditor", "inspector"])
def test_the_export_is_refused_without_the_permission(
    request: pytest.FixtureRequest, client: Any, who: str
) -> None:
    coded()
    client.force_login(request.getfixturevalue(who))
    page = client.get(MESSAGES)
    assert page.status_code == 200  # they read the log
    assert "export_messages_csv" not in page.content.decode()
    ids = list(RegistryMessage.objects.values_list("pk", flat=True))
    for action in ("export_messages_csv", "export_messages_json"):
        response = export(client, action, ids)
        assert response.status_code in (302, 403)
        assert not response.get("Content-Disposition")
    assert not AuditEvent.objects.filter(verb=Verb.EXPORTED).exists()


def test_the_party_site_and_licence_pages_and_exports_carry_the_codes(
    client: Any, senior: Any
) -> None:
    licence = coded()
    site = licence.sites.get()
    eo = operator_code(licence.holder)
    f_id = facility_codes([site])[site.pk]
    client.force_login(senior)
    party_page = client.get(reverse("admin:licensing_party_change", args=[licence.holder_id]))
    assert eo in party_page.content.decode()
    site_page = client.get(reverse("admin:licensing_site_change", args=[site.pk]))
    assert f_id in site_page.content.decode()
    for records in (Party.objects.filter(pk=licence.holder_id), Licence.objects.all()):
        content = export_records(records=records, fmt="csv", by=senior).content.decode()
        assert eo in content and f"{site.name}: {f_id}" in content


def test_a_legacy_register_is_coded_in_bulk(settings: Any, senior: Any) -> None:
    # Art. 15, 17: each live licence's holder and site; an expired one's holder gets none.
    settings.IMPORT_CHUNK_ROWS = 2
    past = (today() - dt.timedelta(days=30)).isoformat()
    rows = [
        company("L-1", registration_number="X00000001", site_name="North"),
        company("L-2", registration_number="X00000001", site_name="North"),  # same holder
        company("L-3", registration_number="X00000002", legal_name="Sør Tobakk AS"),
        person("L-4", state="expired", expires_on=past),
    ]
    write(csv_bytes(rows), senior)
    coded_parties = set(OperatorCode.objects.values_list("party__registration_number", flat=True))
    assert coded_parties == {"X00000001", "X00000002"}
    assert RegistryMessage.objects.filter(message_type=MessageType.EO_REGISTRATION).count() == 2
    licences = Licence.objects.filter(number__in=["L-1", "L-3"])
    sites = [site for licence in licences for site in licence.sites.all()]
    assert set(facility_codes(sites)) == {site.pk for site in sites}
    requests = RegistryMessage.objects.filter(message_type=MessageType.F_REGISTRATION)
    assert requests.count() == len({site.pk for site in sites})


def test_the_demo_fixture_holds_codes_for_its_licensed_parties_sites_and_machines() -> None:
    # fixtures/README.md: the demo is built through the services, which issue the codes.
    from licensing.demo.fixture import FIXTURE

    rows = json.loads(FIXTURE.read_text())
    models = {row["model"] for row in rows}
    assert {"licensing.operatorcode", "licensing.facilitycode", "equipment.machinecode"} <= models
    types = {row["fields"]["message_type"] for row in rows if row["model"].endswith("message")}
    assert {"1-1", "1-3", "1-4", "1-6", "1-7", "1-9"} <= types
