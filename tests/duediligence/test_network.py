"""The network view (Art. 6.3(d), 7.4): a party's shared identifiers drawn on the server as SVG
with a table of the same links, adverse links marked, every name escaped, and only for staff
who may see the party's network."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duediligence.network import MAX_LINKED, MAX_SECOND, party_network
from duediligence.services.indexing import index_party
from tests.factories import ApplicationFactory, BankAccountFactory, LicenceFactory, PersonFactory
from tests.factories.duediligence import LonePartyFactory
from tests.factories.reports import LicenseeReportFactory
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db

IBAN = "DE89370400440532013000"
HOSTILE = '<script>alert("x")</script> & Co AS'


@pytest.fixture
def world():
    centre = LonePartyFactory(legal_name="Sentrum Tobakk AS", registration_number="912345678")
    BankAccountFactory(party=centre, iban=IBAN)
    PersonFactory(party=centre, full_name="Ola Nordmann", date_of_birth=dt.date(1970, 1, 2))
    revoked = LonePartyFactory(legal_name="Tilbakekalt Tobakk AS")
    BankAccountFactory(party=revoked, iban=IBAN)
    LicenceFactory(holder=revoked, revoked=True)
    hostile = LonePartyFactory(legal_name=HOSTILE)
    PersonFactory(party=hostile, full_name="Ola Nordmann", date_of_birth=dt.date(1970, 1, 2))
    unrelated = LonePartyFactory(legal_name="Ukjent Handel AS")
    for party in (centre, revoked, hostile, unrelated):
        index_party(party)
    report = LicenseeReportFactory(
        accepted=True, country="NO", registration_number="912345678", customer_name="Sentrum"
    )
    return {"centre": centre, "revoked": revoked, "hostile": hostile, "report": report}


def url(party):
    return reverse("admin:duediligence_network", args=[party.pk])


def test_the_network_shows_the_linked_parties_and_marks_the_adverse_ones(officer, world):
    response = client_for(officer).get(url(world["centre"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and 'role="img"' in page
    network = response.context["network"]
    linked = {node.label: node for node in network.linked}
    assert set(linked) == {"Tilbakekalt Tobakk AS", HOSTILE, world["report"].reference}
    assert linked["Tilbakekalt Tobakk AS"].adverse == ["a licence of this party was revoked"]
    assert linked[HOSTILE].adverse == []
    assert linked[world["report"].reference].adverse  # an accepted report names this party
    assert "Ukjent Handel AS" not in page
    # The drawing and the table mark the same links.
    assert page.count('node-adverse"') == 2  # the class of each marked node
    assert page.count('class="adverse"') == 2
    assert "a licence of this party was revoked" in page
    assert "Ola Nordmann" in page  # the director shared with the other party


def test_a_hostile_name_is_escaped_in_the_drawing_and_the_table(officer, world):
    page = client_for(officer).get(url(world["centre"])).content.decode()
    assert '<script>alert("x")' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co AS" in page


def test_the_layout_is_deterministic(world):
    first, second = party_network(world["centre"]), party_network(world["centre"])
    assert [(n.label, n.x, n.y) for n in first.linked] == [
        (n.label, n.x, n.y) for n in second.linked
    ]
    assert first.centre.x == first.centre.y == first.size / 2


def test_the_auditor_reads_the_network(auditor, world):
    assert client_for(auditor).get(url(world["centre"])).status_code == 200


@pytest.mark.parametrize("who", ["registrar", "inspector"])
def test_staff_without_the_permission_are_refused(request, world, who):
    user = request.getfixturevalue(who)
    assert client_for(user).get(url(world["centre"])).status_code == 403


def test_an_applicant_is_not_let_into_the_admin(applicant_for, world):
    user = applicant_for(world["centre"])
    response = client_for(user).get(url(world["centre"]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_party_and_application_pages_link_to_the_network(officer, registrar, world):
    application = ApplicationFactory(party=world["centre"], submitted=True)
    pages = [
        reverse("admin:licensing_party_change", args=[world["centre"].pk]),
        reverse("admin:licensing_application_change", args=[application.pk]),
    ]
    for page in pages:
        assert url(world["centre"]) in client_for(officer).get(page).content.decode()
    registrar_page = client_for(registrar).get(pages[0])
    assert url(world["centre"]) not in registrar_page.content.decode()


def test_the_number_of_queries_does_not_grow_with_the_linked_parties(officer):
    centre = LonePartyFactory()
    BankAccountFactory(party=centre, iban=IBAN)
    index_party(centre)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            party_network(centre)
        return len(captured.captured_queries)

    def link(count: int) -> None:
        for _ in range(count):
            other = LonePartyFactory()
            BankAccountFactory(party=other, iban=IBAN)
            index_party(other)

    link(2)
    few = queries()
    link(MAX_LINKED + 5)
    network = party_network(centre)
    assert queries() == few
    assert len(network.linked) == MAX_LINKED and network.truncated


def test_depth_two_shows_the_parties_linked_to_the_linked_parties(officer, world):
    # The revoked party's director also directs a party whose application was refused: two
    # steps from the centre, through a person the centre does not share.
    PersonFactory(party=world["revoked"], full_name="Per Hansen", date_of_birth=dt.date(1960, 5, 6))
    second = LonePartyFactory(legal_name="Andre Steg AS")
    PersonFactory(party=second, full_name="Per Hansen", date_of_birth=dt.date(1960, 5, 6))
    ApplicationFactory(party=second, refused=True)
    for party in (world["revoked"], second):
        index_party(party)
    client = client_for(officer)
    first_only = client.get(url(world["centre"]))
    assert "Andre Steg AS" not in first_only.content.decode()
    response = client.get(url(world["centre"]), {"depth": "2"})
    network = response.context["network"]
    [node] = [n for n in network.second if n.label == "Andre Steg AS"]
    assert node.adverse == ["an application of this party was refused"]
    assert node.through == [
        ("person (name and date of birth)", "per hansen|1960-05-06 (Tilbakekalt Tobakk AS)")
    ]
    page = response.content.decode()
    assert "Parties linked to the linked parties" in page
    assert page.count('node-adverse"') == 3


def test_depth_two_costs_the_same_queries_however_many_parties_it_finds():
    centre, first = LonePartyFactory(), LonePartyFactory()
    BankAccountFactory(party=centre, iban=IBAN)
    BankAccountFactory(party=first, iban=IBAN)
    shared = "NO9386011117947"
    BankAccountFactory(party=first, iban=shared)
    for party in (centre, first):
        index_party(party)

    def add_second(count: int) -> None:
        for _ in range(count):
            other = LonePartyFactory()
            BankAccountFactory(party=other, iban=shared)
            index_party(other)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            party_network(centre, depth=2)
        return len(captured.captured_queries)

    add_second(2)
    few = queries()
    add_second(MAX_SECOND + 3)
    assert queries() == few
    network = party_network(centre, depth=2)
    assert len(network.second) == MAX_SECOND and network.truncated
