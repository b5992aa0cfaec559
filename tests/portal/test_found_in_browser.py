"""Bugs the browser test (tests/browser/test_portal_flow.py) showed on the Hungarian phone
pages, each pinned here without a browser."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from licensing.models import Party, PartyKind
from licensing.portal.apply_party_forms import LegalIdentityForm, NaturalIdentityForm
from licensing.portal.case_forms import InformationReplyForm
from tests.factories import UserFactory
from tests.portal.apply_helpers import LEGAL_IDENTITY, NATURAL_IDENTITY

pytestmark = pytest.mark.django_db


def test_a_refused_registration_number_has_only_the_checks_message() -> None:
    """Not also "Required for a legal person" (from ``Party.clean``): the field is filled in."""
    data = {**LEGAL_IDENTITY, "registration_number": "988077918"}  # a wrong check digit
    form = LegalIdentityForm(data, instance=Party(kind=PartyKind.LEGAL))  # as apply_new
    assert not form.is_valid()
    assert form.errors["registration_number"] == [
        "Enter a valid business registration number for NO."
    ]


def test_a_refused_date_of_birth_has_only_the_fields_message() -> None:
    data = {**NATURAL_IDENTITY, "date_of_birth": "1980-13-40"}
    form = NaturalIdentityForm(data, instance=Party(kind=PartyKind.NATURAL))
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == ["Enter a valid date."]


def test_the_reply_forms_hint_is_in_the_users_language(compiled_messages: None) -> None:
    """It was interpolated once, at import, in English."""
    with translation.override("hu"):
        hint = str(InformationReplyForm().fields["documents"].help_text)
    assert hint.startswith("PDF, PNG vagy JPEG, legfeljebb 5 fájl")


def test_country_names_are_in_the_users_language(compiled_messages: None) -> None:
    """django-countries' own catalogues are loaded (the app is installed)."""
    with translation.override("hu"):
        choices = dict(LegalIdentityForm().fields["country"].choices)
    assert choices["NO"] == "Norvégia"


def test_a_question_with_options_is_a_fieldset_and_its_error_links_to_the_first(
    client: Any,
) -> None:
    client.force_login(UserFactory(is_staff=False, role="applicant"))
    page = client.post(reverse("portal:apply_start"), {}).content.decode()
    assert '<fieldset class="field field-error">' in page
    assert "<legend>Who is applying?" in page
    assert 'for=""' not in page  # no label of nothing
    assert 'href="#id_kind_0"' in page  # the summary's link reaches the first radio
    assert 'id="id_kind_0"' in page
