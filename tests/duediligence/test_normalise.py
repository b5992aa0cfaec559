"""Screening keys: two spellings of one identifier meet, two identifiers do not."""

from __future__ import annotations

import datetime as dt

import pytest

from duediligence.normalise import (
    account_key,
    address_key,
    free_address_key,
    iban_key,
    name_key,
    number_key,
    person_key,
    serial_key,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tobakk Nord AS", "TOBAKK-NORD A/S"),
        ("Tisza Dohány Kft.", "tisza dohany kft"),
        ("Tisza Dohány Zrt.", "Tisza Dohány"),
        ("Wisła Tytoń Sp. z o.o.", "Wisla Tyton"),
        ("Nordic Leaf AB", "  nordic   leaf  "),
        ("Elbe Tabakhandel GmbH & Co. KG", "Elbe Tabakhandel"),
        ("Smith Tobacco Ltd", "Smith Tobacco Limited"),
        ("Fjordtobakk ASA", "Fjordtøbakk"),
    ],
)
def test_names_meet_without_case_accents_punctuation_or_legal_form(a, b):
    assert name_key(a) == name_key(b)


def test_different_names_stay_apart():
    assert name_key("Tobakk Nord AS") != name_key("Tobakk Sør AS")


def test_a_name_that_is_only_a_legal_form_is_kept():
    assert name_key("AS") == "as"


def test_numbers_keep_their_country_and_lose_spaces_and_a_repeated_country_code():
    assert number_key("NO", "NO 912 345 678 MVA") == number_key("no", "912345678mva")
    assert number_key("NO", "912345678") != number_key("SE", "912345678")
    assert number_key("HU", "01-09-123456") == "HU:0109123456"
    assert number_key("NO", " - ") == ""


def test_ibans_and_accounts():
    assert iban_key("de89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    assert account_key("no", "1503.12.34567") == "NO:15031234567"
    assert serial_key("hp-000 123") == "HP000123"


def test_a_typed_address_meets_the_same_address_given_field_by_field():
    typed = free_address_key("Karl Johans gate 1\n0154 OSLO", "NO")
    fields = address_key(street="Karl Johans  Gate 1", postcode="0154", country="NO")
    assert typed == fields == "no 0154 karl johans gate 1"


def test_a_post_box_is_not_an_address_that_links():
    assert free_address_key("Postboks 100\n0101 Oslo", "NO") == ""


def test_a_person_is_a_name_with_a_date_of_birth():
    born = dt.date(1970, 10, 5)
    assert person_key("Nagy Balázs", born) == person_key("NAGY  balazs", born)
    assert person_key("Nagy Balázs", born) != person_key("Nagy Balázs", dt.date(1971, 10, 5))
    assert person_key("Nagy Balázs", None) == ""
