"""/verify/document/<code>/: the heading states the licence's status today, not only that the
printed copy is authentic."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from licensing.models import Licence, LicenceState
from licensing.services.issuing import issue_licence_document
from tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()


def heading(client: Any, code: str, **headers: Any) -> str:
    response = client.get(reverse("verify:document", args=[code]), **headers)
    assert response.status_code == 200
    found = re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S)
    assert found is not None
    return found.group(1).strip()


def test_the_heading_of_a_suspended_licences_document_says_it_is_suspended(client, registrar):
    licence = LicenceFactory()
    document = issue_licence_document(licence_id=licence.pk, by=registrar)
    assert heading(client, document.code) == (
        "Authentic and current document: the licence is valid"
    )
    Licence.objects.filter(pk=licence.pk).update(state=LicenceState.SUSPENDED)
    assert heading(client, document.code) == (
        "Authentic and current document: the licence is suspended"
    )


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (LicenceState.REVOKED, "revoked"),
        (LicenceState.SURRENDERED, "surrendered"),
        (LicenceState.TRANSFERRED, "transferred"),
    ],
)
def test_a_superseded_copy_names_the_licence_status_too(client, registrar, state, status):
    licence = LicenceFactory()
    old = issue_licence_document(licence_id=licence.pk, by=registrar)
    issue_licence_document(licence_id=licence.pk, by=registrar, reason="Damaged")
    Licence.objects.filter(pk=licence.pk).update(state=state)
    assert heading(client, old.code) == (
        f"Authentic but superseded document: the licence is {status}"
    )
