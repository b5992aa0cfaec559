"""Tax registration numbers in each country's national form as well as its VAT form
(Art. 6.3(b)(i)-(ii)), normalised, with the accepted forms shown (issue 14)."""

from __future__ import annotations

from typing import Any

import pytest

from licensing.models import TaxRegistration
from licensing.tax_numbers import normal_tax_number
from tests.portal.apply_helpers import formset, step
from tests.portal.test_formset_rows import new_legal_party_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("country", "given", "kept"),
    [
        ("HU", "12345676-2-41", "12345676-2-41"),  # adószám, as printed
        ("HU", "12345676 2 41", "12345676-2-41"),
        ("HU", "12345676241", "12345676-2-41"),
        ("HU", "HU12345676", "12345676"),  # the VAT form, as before
        ("NO", "988077917", "988077917"),  # organisasjonsnummer
        ("NO", "NO988077917MVA", "988077917MVA"),
        ("SE", "202100-5489", "2021005489"),
        ("DE", "181/815/08155", "18181508155"),
        ("US", "anything", "anything"),  # a country python-stdnum knows no VAT of: kept
    ],
)
def test_national_and_vat_forms_are_accepted_and_normalised(
    country: str, given: str, kept: str
) -> None:
    assert normal_tax_number(given, country) == kept


@pytest.mark.parametrize(
    ("country", "given"),
    [
        ("HU", "12345677-2-41"),  # the base number's check digit is wrong
        ("HU", "12345676-9-41"),  # no such VAT code
        ("HU", "12345676-2-99"),  # no such county
        ("NO", "988077918"),
    ],
)
def test_a_wrong_number_is_refused(country: str, given: str) -> None:
    assert normal_tax_number(given, country) is None


def test_a_hungarian_applicant_gives_its_adoszam_on_the_tax_step(client: Any) -> None:
    party = new_legal_party_for(client)
    url = step(party.public_id, "tax")
    page = client.get(url).content.decode()
    assert "12345676-2-41" in page  # the accepted forms, as help text
    data = formset("tax", [{"country": "HU", "number": "12345676 2 41"}])
    assert client.post(url, data).status_code == 302
    assert TaxRegistration.objects.get(party=party).number == "12345676-2-41"

    wrong = formset("tax", [{"country": "HU", "number": "12345677-2-41"}])
    response = client.post(url, wrong)
    assert response.status_code == 400
    assert "Enter a valid tax registration number for" in response.content.decode()
