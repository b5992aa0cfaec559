"""The seizures' admin pages: bad input re-renders with its messages and saves nothing; the
persons are shown masked and only to those who may read them; the exchange pages are for
senior officers."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from seizures.models import SeizedItem, SeizureCase, SeizurePerson
from seizures.services import cases
from tests.seizures.helpers import open_case

FORM = {
    "agency": "Tolletaten",
    "seized_on": "2026-11-02",
    "place": "Moss",
    "country": "NO",
    "party_kind": "licensed",  # but no party chosen
    "persons-TOTAL_FORMS": "0",
    "persons-INITIAL_FORMS": "0",
    "items-TOTAL_FORMS": "1",
    "items-INITIAL_FORMS": "0",
    "items-0-kind": "tobacco",
    "items-0-quantity": "-300",
    "items-0-unit": "barrel",
}


@pytest.mark.django_db
def test_a_bad_case_re_renders_with_its_messages_and_saves_nothing(client, officer):
    client.force_login(officer)
    response = client.post(reverse("admin:seizures_seizurecase_add"), FORM)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the party of the register." in page
    assert "Enter a quantity of more than zero." in page or "greater than or equal" in page
    assert "Select a valid choice" in page  # the unknown unit
    assert not SeizureCase.objects.exists() and not SeizedItem.objects.exists()


@pytest.mark.django_db
def test_persons_are_masked_and_hidden_from_those_who_need_not_see_them(client, officer, inspector):
    case = open_case(officer)
    cases.add_person(
        case_id=case.pk,
        person=SeizurePerson(
            full_name="Tor Kristiansen",
            id_document_country="NO",
            id_document_number="P7741236",
            role="owner",
        ),
        by=officer,
    )
    url = reverse("admin:seizures_seizurecase_change", args=[case.pk])
    client.force_login(officer)
    page = client.get(url).content.decode()
    assert "Tor Kristiansen" in page and "P7741236" not in page
    client.force_login(inspector)
    page = client.get(url).content.decode()
    assert "Tor Kristiansen" not in page


@pytest.mark.django_db
def test_only_senior_officers_receive_a_partners_records(client, officer, senior):
    url = reverse("admin:seizures_seizurecase_receive")
    client.force_login(officer)
    assert client.get(url).status_code == 403
    client.force_login(senior)
    bad = SimpleUploadedFile("r.json", json.dumps({"records": [{"schema": "x"}]}).encode())
    response = client.post(url, {"file": bad})
    assert "nothing was saved" in response.content.decode()
    assert not SeizureCase.objects.exists()
