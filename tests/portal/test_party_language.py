"""The language a party is written to (issue 14): the language its user files in, changed on
the portal's correspondence page by a user who acts for it, never for another party."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from licensing.models import AuditEvent, Party, Verb
from tests.factories import PartyFactory, UserFactory
from tests.portal.apply_helpers import LEGAL_IDENTITY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("compiled_messages")]


def test_a_party_filed_in_hungarian_is_written_to_in_hungarian(client: Any) -> None:
    client.force_login(UserFactory(is_staff=False, role="applicant"))
    url = reverse("portal:apply_new", kwargs={"kind": "legal"})
    response = client.post(url, LEGAL_IDENTITY, HTTP_ACCEPT_LANGUAGE="hu")
    assert response.status_code == 302
    party = Party.objects.get(legal_name=LEGAL_IDENTITY["legal_name"])
    assert party.preferred_language == "hu"


def test_the_user_changes_the_language_of_letters_for_its_party_only(
    client: Any, applicant_for: Any
) -> None:
    party = PartyFactory(preferred_language="en")
    other = PartyFactory(preferred_language="en")
    client.force_login(applicant_for(party))
    url = reverse("portal:correspondence")
    page = client.get(url).content.decode()
    assert str(party) in page and str(other) not in page

    response = client.post(url, {"party": str(party.public_id), "language": "nb"})
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.preferred_language == "nb"
    event = AuditEvent.objects.for_object(party).get(verb=Verb.EDITED)
    assert event.changes == {"preferred_language": ["en", "nb"]}

    assert client.post(url, {"party": str(other.public_id), "language": "hu"}).status_code == 404
    other.refresh_from_db()
    assert other.preferred_language == "en"


def test_only_its_users_and_officers_set_a_partys_language(
    applicant_for: Any, officer: Any
) -> None:
    """The service refuses anyone else, and writes nothing."""
    from licensing.exceptions import PermissionDenied
    from licensing.services.accounts import set_party_language

    party = PartyFactory(preferred_language="en")
    stranger = applicant_for(PartyFactory())
    with pytest.raises(PermissionDenied):
        set_party_language(party_id=party.pk, language="hu", by=stranger)
    party.refresh_from_db()
    assert party.preferred_language == "en"
    assert not AuditEvent.objects.for_object(party).filter(verb=Verb.EDITED).exists()
    set_party_language(party_id=party.pk, language="hu", by=officer)  # officers change parties
    party.refresh_from_db()
    assert party.preferred_language == "hu"
