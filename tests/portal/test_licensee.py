"""The licensee's pages: licences with status and validity; renewal, advance notice of a
change (Art. 6.3(g)) and transfer to a proposed licensee (Art. 6.4)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from licensing.models import (
    Application,
    ApplicationKind,
    ApplicationState,
    Notification,
    TransferRequest,
    TransferRequestState,
)
from tests.factories import (
    ApplicationFactory,
    ConditionFactory,
    IssuedDocumentFactory,
    LicenceFactory,
    LicenceTermFactory,
    PartyFactory,
    SiteFactory,
)
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder():
    return PartyFactory()


@pytest.fixture
def licensee(applicant_for, holder):
    return applicant_for(holder)


@pytest.fixture
def licence(holder):
    site = SiteFactory(party=holder, name="Drammen warehouse")
    return LicenceFactory(holder=holder, sites=[site])


def url(name, obj):
    return reverse(f"portal:{name}", kwargs={"public_id": obj.public_id})


def resume(application):
    return reverse("portal:draft_resume", kwargs={"public_id": application.public_id})


# --- Licences ---------------------------------------------------------------------------------


def test_licence_list_shows_the_users_licences_only(licensee, licence):
    other = LicenceFactory()
    expired = LicenceFactory(holder=licence.holder, expired=True)
    page = client_for(licensee).get(reverse("portal:licence_list")).content.decode()
    assert licence.number in page
    assert expired.number in page
    assert "you can still renew it" in page
    assert other.number not in page
    assert "active" in page


def test_licence_detail_shows_terms_conditions_sites_and_actions(licensee, licence):
    ConditionFactory(application=None, licence=licence, text="CCTV at the loading bays.")
    LicenceTermFactory(
        licence=licence,
        valid_from=licence.valid_from - dt.timedelta(days=730),
        expires_on=licence.valid_from - dt.timedelta(days=1),
    )
    page = client_for(licensee).get(url("licence_detail", licence)).content.decode()
    assert "CCTV at the loading bays." in page
    assert "Drammen warehouse" in page
    assert page.count("<tr><td ") >= 2  # two terms
    assert url("licence_renew", licence) in page
    assert url("licence_change", licence) in page
    assert url("licence_transfer", licence) in page
    # The registrar has not printed the licence yet: no link to it.
    assert "Download licence PDF" not in page


def test_a_revoked_licence_offers_no_action(licensee, holder):
    revoked = LicenceFactory(holder=holder, revoked=True)
    page = client_for(licensee).get(url("licence_detail", revoked)).content.decode()
    assert url("licence_renew", revoked) not in page
    assert url("licence_transfer", revoked) not in page


# --- Renewal ----------------------------------------------------------------------------------


def test_renewal_starts_a_prefilled_draft_and_opens_the_wizard(licensee, licence):
    client = client_for(licensee)
    assert "Start the renewal" in client.get(url("licence_renew", licence)).content.decode()

    response = client.post(url("licence_renew", licence))

    application = Application.objects.get(licence=licence, kind=ApplicationKind.RENEWAL)
    assert response.status_code == 302
    assert response["Location"] == resume(application)
    assert application.state == ApplicationState.DRAFT
    assert application.party == licence.holder
    assert application.activities == licence.activities
    assert set(application.sites.all()) == set(licence.sites.all())
    assert application.created_by == licensee


def test_a_second_click_returns_the_same_renewal_draft(licensee, licence):
    client = client_for(licensee)
    client.post(url("licence_renew", licence))
    client.post(url("licence_renew", licence))
    assert Application.objects.filter(licence=licence, kind=ApplicationKind.RENEWAL).count() == 1


def test_an_expired_licence_within_grace_can_be_renewed(licensee, holder):
    expired = LicenceFactory(holder=holder, expired=True)
    client_for(licensee).post(url("licence_renew", expired))
    assert Application.objects.filter(licence=expired, kind=ApplicationKind.RENEWAL).exists()


@pytest.mark.parametrize("state", ["revoked", "transferred", "surrendered"])
def test_renewal_is_refused_when_the_licence_is_not_renewable(licensee, holder, state):
    licence = LicenceFactory(holder=holder, **{state: True})
    response = client_for(licensee).post(url("licence_renew", licence))
    assert response.status_code == 302
    assert response["Location"] == url("licence_detail", licence)
    assert not Application.objects.filter(licence=licence, kind=ApplicationKind.RENEWAL).exists()


def test_renewal_is_refused_while_one_is_being_decided(licensee, licence):
    ApplicationFactory(party=licence.holder, licence=licence, kind="renewal", submitted=True)
    client_for(licensee).post(url("licence_renew", licence))
    assert Application.objects.filter(licence=licence, kind=ApplicationKind.RENEWAL).count() == 1


# --- Change (Art. 6.3(g)) ---------------------------------------------------------------------


def test_a_change_is_notified_in_advance_as_a_change_application(licensee, licence):
    effective = timezone.localdate() + dt.timedelta(days=30)
    response = client_for(licensee).post(
        url("licence_change", licence),
        {
            "subject": "location",
            "description": "Moving to Strandveien 4, 3015 Drammen.",
            "effective_on": effective.isoformat(),
        },
    )
    application = Application.objects.get(licence=licence, kind=ApplicationKind.CHANGE)
    assert response.status_code == 302
    assert response["Location"] == resume(application)
    assert application.effective_on == effective
    assert "Strandveien 4" in application.change_description
    assert application.change_description.startswith("The location of a business")
    assert application.state == ApplicationState.DRAFT


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"subject": "information", "description": "New director.", "effective_on": "today"}, ""),
        ({"subject": "information", "description": "New director."}, "This field is required"),
        ({"subject": "information", "description": "  ", "effective_on": "+5"}, "Describe"),
        ({"subject": "other", "description": "X", "effective_on": "+5"}, "valid choice"),
        ({"subject": "information", "description": "X", "effective_on": "-1"}, "after today"),
    ],
)
def test_a_change_needs_a_subject_a_description_and_a_future_date(licensee, licence, data, error):
    today = timezone.localdate()
    if "effective_on" in data:
        value = data["effective_on"]
        days = 0 if value == "today" else int(value)
        data = {**data, "effective_on": (today + dt.timedelta(days=days)).isoformat()}
    response = client_for(licensee).post(url("licence_change", licence), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert error in page
    assert not Application.objects.filter(kind=ApplicationKind.CHANGE).exists()


def test_a_suspended_licence_cannot_be_changed(licensee, holder):
    suspended = LicenceFactory(holder=holder, suspended=True)
    response = client_for(licensee).post(
        url("licence_change", suspended),
        {
            "subject": "information",
            "description": "New director.",
            "effective_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "The licence is not active." in response.content.decode()
    assert not Application.objects.filter(kind=ApplicationKind.CHANGE).exists()


# --- Transfer (Art. 6.4) ----------------------------------------------------------------------


def request_transfer(client, licence, capture, email="buyer@example.com") -> str:
    """Post the request and return the token of the link in the proposed licensee's e-mail."""
    with capture(execute=True):
        response = client.post(url("licence_transfer", licence), {"email": email})
    assert response.status_code == 302
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    found = re.search(r"https?://\S+/portal/transfers/accept/(\S+)/", message.body)
    assert found, message.body
    return found.group(1)


@pytest.fixture
def buyer(applicant_for):
    party = PartyFactory(legal_name="Duna Dohány Kft.")
    user = applicant_for(party)
    return user, party


def test_requesting_a_transfer_mails_a_link_and_keeps_only_its_hash(
    licensee, licence, django_capture_on_commit_callbacks
):
    token = request_transfer(client_for(licensee), licence, django_capture_on_commit_callbacks)
    transfer = TransferRequest.objects.get(licence=licence)
    assert transfer.state == TransferRequestState.REQUESTED
    assert transfer.proposed_email == "buyer@example.com"
    assert transfer.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(transfer.__dict__)
    # The sent notification no longer holds the working link.
    notification = Notification.objects.get(template="transfer_requested")
    assert token not in str(notification.context)


def test_the_proposed_licensee_accepts_and_gets_a_transfer_draft(
    licensee, licence, buyer, django_capture_on_commit_callbacks
):
    user, party = buyer
    token = request_transfer(client_for(licensee), licence, django_capture_on_commit_callbacks)
    accept = reverse("portal:transfer_accept", kwargs={"token": token})
    client = client_for(user)
    page = client.get(accept).content.decode()
    assert licence.number in page
    assert str(licence.holder) in page

    response = client.post(accept, {"party": party.pk})

    application = Application.objects.get(kind=ApplicationKind.TRANSFER)
    assert response.status_code == 302
    assert response["Location"] == resume(application)
    assert application.party == party
    assert application.licence == licence
    assert application.state == ApplicationState.DRAFT
    transfer = TransferRequest.objects.get(licence=licence)
    assert transfer.state == TransferRequestState.ACCEPTED
    assert transfer.accepted_by == user
    assert transfer.application == application


def test_a_used_link_does_not_work_twice(
    licensee, licence, buyer, django_capture_on_commit_callbacks
):
    user, party = buyer
    token = request_transfer(client_for(licensee), licence, django_capture_on_commit_callbacks)
    accept = reverse("portal:transfer_accept", kwargs={"token": token})
    client_for(user).post(accept, {"party": party.pk})
    response = client_for(user).post(accept, {"party": party.pk})
    assert response.status_code == 404
    assert Application.objects.filter(kind=ApplicationKind.TRANSFER).count() == 1


def test_an_expired_link_does_not_work(
    licensee, licence, buyer, time_machine, django_capture_on_commit_callbacks
):
    user, party = buyer
    token = request_transfer(client_for(licensee), licence, django_capture_on_commit_callbacks)
    time_machine.move_to(timezone.now() + dt.timedelta(days=15))
    accept = reverse("portal:transfer_accept", kwargs={"token": token})
    response = client_for(user).post(accept, {"party": party.pk})
    assert response.status_code == 404
    assert not Application.objects.filter(kind=ApplicationKind.TRANSFER).exists()


def test_a_cancelled_link_does_not_work(
    licensee, licence, buyer, django_capture_on_commit_callbacks
):
    user, party = buyer
    token = request_transfer(client_for(licensee), licence, django_capture_on_commit_callbacks)
    transfer = TransferRequest.objects.get(licence=licence)
    holder_client = client_for(licensee)
    assert holder_client.get(url("transfer_cancel", transfer)).status_code == 200
    holder_client.post(url("transfer_cancel", transfer))
    transfer.refresh_from_db()
    assert transfer.state == TransferRequestState.CANCELLED

    accept = reverse("portal:transfer_accept", kwargs={"token": token})
    assert client_for(user).post(accept, {"party": party.pk}).status_code == 404
    assert not Application.objects.filter(kind=ApplicationKind.TRANSFER).exists()


def test_a_made_up_link_does_not_work(buyer):
    user, _party = buyer
    accept = reverse("portal:transfer_accept", kwargs={"token": "made-up-token"})
    assert client_for(user).get(accept).status_code == 404


def test_the_link_needs_a_signed_in_user(licensee, licence, django_capture_on_commit_callbacks):
    token = request_transfer(client_for(licensee), licence, django_capture_on_commit_callbacks)
    response = Client().get(reverse("portal:transfer_accept", kwargs={"token": token}))
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_the_holder_cannot_accept_for_itself(licensee, licence, django_capture_on_commit_callbacks):
    token = request_transfer(client_for(licensee), licence, django_capture_on_commit_callbacks)
    accept = reverse("portal:transfer_accept", kwargs={"token": token})
    response = client_for(licensee).post(accept, {"party": licence.holder.pk})
    assert response.status_code == 200
    assert not Application.objects.filter(kind=ApplicationKind.TRANSFER).exists()
    transfer = TransferRequest.objects.get(licence=licence)
    assert transfer.state == TransferRequestState.REQUESTED


def test_a_user_cannot_accept_for_a_party_it_does_not_act_for(
    licensee, licence, buyer, django_capture_on_commit_callbacks
):
    user, _party = buyer
    stranger_party = PartyFactory()
    token = request_transfer(client_for(licensee), licence, django_capture_on_commit_callbacks)
    accept = reverse("portal:transfer_accept", kwargs={"token": token})
    response = client_for(user).post(accept, {"party": stranger_party.pk})
    assert response.status_code == 200
    assert not Application.objects.filter(kind=ApplicationKind.TRANSFER).exists()


def test_one_open_transfer_request_at_a_time(licensee, licence):
    client = client_for(licensee)
    client.post(url("licence_transfer", licence), {"email": "one@example.com"})
    response = client.post(url("licence_transfer", licence), {"email": "two@example.com"})
    assert response.status_code == 200
    assert TransferRequest.objects.filter(licence=licence).count() == 1


def test_a_transfer_request_needs_a_valid_email(licensee, licence):
    response = client_for(licensee).post(url("licence_transfer", licence), {"email": "nope"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not TransferRequest.objects.exists()


def test_a_suspended_licence_cannot_be_transferred(licensee, holder):
    suspended = LicenceFactory(holder=holder, suspended=True)
    response = client_for(licensee).post(
        url("licence_transfer", suspended), {"email": "buyer@example.com"}
    )
    assert response.status_code == 200
    assert not TransferRequest.objects.exists()


def test_a_user_without_a_party_is_told_to_register_one(
    licensee, licence, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    token = request_transfer(client_for(licensee), licence, django_capture_on_commit_callbacks)
    newcomer = UserFactory(is_staff=False)
    accept = reverse("portal:transfer_accept", kwargs={"token": token})
    page = client_for(newcomer).get(accept).content.decode()
    assert "does not act for any person or company yet" in page
    assert client_for(newcomer).post(accept, {"party": licence.holder.pk}).status_code == 200
    assert not Application.objects.filter(kind=ApplicationKind.TRANSFER).exists()


def test_the_pdf_link_appears_once_the_registrar_has_printed_the_licence(licensee, licence):
    IssuedDocumentFactory(licence=licence)
    page = client_for(licensee).get(url("licence_detail", licence)).content.decode()
    assert "Download licence PDF" in page
    assert url("licence_pdf", licence) in page
