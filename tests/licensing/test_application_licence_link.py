"""The application's admin page links the licence it concerns: the one a renewal, change or
transfer names, and the one its approval issued."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from licensing.models import Licence
from licensing.services import applications as apps
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def licence_field(client: Any, application: Any) -> str:
    url = reverse("admin:licensing_application_change", args=[application.pk])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    field = re.search(
        r'<div class="[^"]*field-licence_link.*?<div class="readonly">(.*?)</div>', page, re.S
    )
    assert field is not None
    return field.group(1)


def link(licence: Licence) -> str:
    url = reverse("admin:licensing_licence_change", args=[licence.pk])
    return f'<a href="{url}">{licence}</a>'


def test_an_approved_new_application_links_the_licence_it_issued(client, officer):
    application = ApplicationFactory(in_review=True, paid=True)
    client.force_login(officer)
    assert licence_field(client, application) == "-"
    apps.approve_application(application_id=application.pk, by=officer)
    licence = Licence.objects.get(application=application)
    assert licence_field(client, application) == link(licence)


def test_a_renewal_links_the_licence_it_names(client, officer):
    application = ApplicationFactory(in_review=True, renewal=True)
    client.force_login(officer)
    assert licence_field(client, application) == link(application.licence)


def test_an_approved_transfer_links_the_old_licence_then_its_successor(client, officer, senior):
    application = ApplicationFactory(in_review=True, transfer=True, paid=True)
    apps.propose_decision(
        application_id=application.pk,
        by=officer,
        action="approve_transfer",
        reason="Art. 6.4: the transferee's information is complete.",
    )
    apps.approve_application(application_id=application.pk, by=senior)
    old = application.licence
    successor = old.successors.get()
    client.force_login(senior)
    assert licence_field(client, application) == f"{link(old)} → {link(successor)}"
