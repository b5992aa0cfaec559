"""The rows of a filing's list steps as a browser posts them (issue 14): an extra row left as it
is counts for nothing, "Add another row" works without JavaScript, and a row id that is not
the draft's is refused with a clear message and creates nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from licensing.models import Application, BankAccount, Party, Person
from tests.factories import BankAccountFactory, PartyFactory
from tests.portal.apply_helpers import BANK, LEGAL_IDENTITY, director, formset, step

pytestmark = pytest.mark.django_db

# What an untouched extra person row posts: the role select's first option, nothing else.
EMPTY_PERSON = {
    "role": "director",
    "full_name": "",
    "date_of_birth": "",
    "nationality": "",
    "identity_document_type": "",
    "identity_document_number": "",
    "identity_document_country": "",
    "identity_document_expires_on": "",
}


def new_legal_party(client: Any) -> Party:
    client.post(reverse("portal:apply_new", kwargs={"kind": "legal"}), LEGAL_IDENTITY)
    return Party.objects.get(legal_name=LEGAL_IDENTITY["legal_name"])


def test_going_back_to_the_people_step_and_on_ignores_the_empty_row(client: Any) -> None:
    """Art. 6.3(b)(ii): two saved directors, Back to their page, Continue: the untouched extra
    row is no third person, and no "required" error."""
    user_party = new_legal_party_for(client)
    url = step(user_party.public_id, "people")
    people = [director("Ola Nordmann", "D1"), director("Kari Nordmann", "D2")]
    assert client.post(url, formset("person", people)).status_code == 302
    saved = list(Person.objects.filter(party=user_party).order_by("pk"))
    assert len(saved) == 2

    page = client.get(url).content.decode()
    assert 'name="person-TOTAL_FORMS" value="3"' in page  # the two, and one empty
    again = [
        {**director("Ola Nordmann", "D1"), "id": saved[0].pk},
        {**director("Kari Nordmann", "D2"), "id": saved[1].pk},
        EMPTY_PERSON,
    ]
    response = client.post(url, formset("person", again, initial=2))
    assert response.status_code == 302, re.findall(r"error-message.*", response.content.decode())
    assert Person.objects.filter(party=user_party).count() == 2


def new_legal_party_for(client: Any) -> Party:
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=False, role="applicant"))
    return new_legal_party(client)


def test_add_another_row_without_javascript_saves_and_shows_one_more_empty_row(
    client: Any,
) -> None:
    party = new_legal_party_for(client)
    url = step(party.public_id, "people")
    data = formset("person", [director("Ola Nordmann", "D1")]) | {"add_row": "person"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url == f"{url}?add=1"  # the same page, not the next step
    assert Person.objects.filter(party=party).count() == 1
    page = client.get(response.url).content.decode()
    assert 'name="person-TOTAL_FORMS" value="3"' in page  # the saved one and two empty rows
    assert "Person 3" in page
    # The page offers the button, and the empty row it copies with JavaScript.
    assert 'data-add-row="person"' in page and 'data-empty-row="person"' in page


def test_a_row_id_of_another_party_is_refused_clearly_and_creates_nothing(client: Any) -> None:
    """The mass-assignment probe: a bank step posted with the id of another party's account."""
    party = new_legal_party_for(client)
    client.post(step(party.public_id, "activities"), {"activities": ["wholesale"]})
    application = Application.objects.get(party=party)
    theirs = BankAccountFactory(party=PartyFactory())
    before = BankAccount.objects.count()
    data = formset("bank", [{**BANK, "id": theirs.pk}], initial=1)
    response = client.post(step(application.public_id, "bank"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "This row is not one of this application&#x27;s." in page
    assert BankAccount.objects.count() == before
    assert not BankAccount.with_proposals.filter(party=party).exists()


def test_an_account_with_neither_iban_nor_number_gets_one_clear_message(client: Any) -> None:
    """Art. 6.3(b)(vii): the message once at the IBAN field (and once in the summary that links
    to it), never the database constraint's own text."""
    party = new_legal_party_for(client)
    client.post(step(party.public_id, "activities"), {"activities": ["wholesale"]})
    application = Application.objects.get(party=party)
    data = formset("bank", [{**BANK, "iban": "", "account_number": ""}])
    response = client.post(step(application.public_id, "bank"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Enter an IBAN or an account number.") == 2
    assert 'id="id_bank-0-iban_error"' in page
    assert "iban_or_account_number" not in page and "Constraint" not in page
    assert not BankAccount.objects.filter(party=party).exists()


def test_an_iban_of_another_country_than_the_bank_is_questioned_once(client: Any) -> None:
    """Art. 6.3(b)(vii), 10.2: a warning at the field; continuing again with the same two
    countries confirms them, and due diligence still flags the account."""
    party = new_legal_party_for(client)
    client.post(step(party.public_id, "activities"), {"activities": ["wholesale"]})
    application = Application.objects.get(party=party)
    url = step(application.public_id, "bank")
    hungarian_bank = {**BANK, "bank_country": "HU"}  # with a Norwegian IBAN
    response = client.post(url, formset("bank", [hungarian_bank]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "This IBAN is of another country (NO) than the bank (HU)." in page
    assert 'name="bank-0-countries_confirmed" value="NO:HU"' in page
    assert not BankAccount.objects.filter(party=party).exists()

    confirmed = formset("bank", [{**hungarian_bank, "countries_confirmed": "NO:HU"}])
    assert client.post(url, confirmed).status_code == 302
    assert BankAccount.objects.get(party=party).bank_country == "HU"
