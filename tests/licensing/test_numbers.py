"""Human-readable numbers with an ISO 7064 MOD 37,36 check character, so that a mistyped
licence number is caught at the verification desk; sequences never repeat a number."""

from __future__ import annotations

import datetime as dt
import string
import threading

import pytest
from django.db import connection

from licensing.services.numbers import (
    application_reference,
    as_number,
    invoice_number,
    is_valid_number,
    licence_number,
    next_value,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 25)
ALPHABET = string.digits + string.ascii_uppercase


def test_a_licence_number_is_readable_and_carries_a_check_character(settings):
    settings.LICENCE_NUMBER_PREFIX = "TL"
    number = licence_number(DAY)
    prefix, year, serial, check = number.split("-")
    assert (prefix, year, serial) == ("TL", "2026", "000001")
    assert len(check) == 1 and check in ALPHABET
    assert is_valid_number(number)
    assert is_valid_number(number.lower())  # typed in lower case at the desk


@pytest.mark.parametrize("make", [licence_number, application_reference, invoice_number])
def test_every_kind_of_number_is_valid(make):
    assert all(is_valid_number(make(DAY)) for _ in range(20))


def _mistypes(number: str):
    """Every single-character substitution of a letter or digit, and every adjacent swap."""
    chars = list(number)
    for i, char in enumerate(chars):
        if char == "-":
            continue
        for other in ALPHABET:
            if other != char:
                yield "".join([*chars[:i], other, *chars[i + 1 :]])
    for i in range(len(chars) - 1):
        if "-" not in (chars[i], chars[i + 1]) and chars[i] != chars[i + 1]:
            yield "".join([*chars[:i], chars[i + 1], chars[i], *chars[i + 2 :]])


def test_a_mistyped_character_or_a_swap_is_caught():
    numbers = [licence_number(DAY) for _ in range(5)]
    for number in numbers:
        for mistyped in _mistypes(number):
            assert not is_valid_number(mistyped), (number, mistyped)


def test_sequences_never_repeat():
    drawn = [next_value("licence-2026") for _ in range(50)]
    assert drawn == list(range(1, 51))
    numbers = [licence_number(DAY) for _ in range(50)]
    assert len(set(numbers)) == 50
    assert all(n.split("-")[2] > "000050" for n in numbers)


def test_each_year_and_each_kind_counts_on_its_own():
    assert next_value("licence-2026") == 1
    assert next_value("licence-2027") == 1
    assert next_value("invoice-2026") == 1
    assert licence_number(dt.date(2027, 1, 1)).startswith("TL-2027-000002-")


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_draws_never_repeat_a_number():
    """Ten officers issue at once: the row lock on the counter gives each its own number."""
    barrier = threading.Barrier(10)
    drawn: list[str] = []
    lock = threading.Lock()

    def draw() -> None:
        try:
            barrier.wait(timeout=30)
            numbers = [licence_number(DAY) for _ in range(5)]
            with lock:
                drawn.extend(numbers)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(drawn) == len(set(drawn)) == 50
    assert all(is_valid_number(n) for n in drawn)


def test_a_search_term_is_taken_as_a_number_only_with_its_format_and_check_character():
    number = licence_number(DAY)
    assert as_number(f"  {number.lower()} ") == number
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert as_number(wrong) is None
    assert as_number(application_reference(DAY)) is not None
    # A name is never a number, even when its letters happen to pass the check.
    assert as_number("Tobakk") is None
    assert as_number(number.replace("-", "")) is None
