"""A lost factor is reset by a senior officer or a superuser, never by the user and never by an
ordinary officer; a senior officer's or superuser's factor needs a second, different senior
(four eyes). The permission that guards it: ``twofactor.reset_second_factor``."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from licensing.exceptions import FourEyesViolation, PermissionDenied, ReasonRequired
from licensing.models import AuditEvent
from tests.factories import UserFactory
from tests.twofactor.helpers import app_for
from twofactor import resets, services
from twofactor.models import FactorReset

pytestmark = pytest.mark.django_db


def _events(user: Any, verb: str) -> int:
    return AuditEvent.objects.filter(verb=verb, object_id=str(user.pk)).count()


@pytest.fixture
def senior3(db: None) -> Any:
    user = UserFactory(username="senior3", role="senior officer")
    return get_user_model().objects.get(pk=user.pk)


def test_the_permission_is_the_senior_officers_and_the_superusers(officer, senior, auditor):
    superuser = UserFactory(username="root", is_superuser=True)
    assert resets.may_reset(senior) and resets.may_reset(superuser)
    assert not resets.may_reset(officer) and not resets.may_reset(auditor)


def test_a_senior_officer_resets_an_officers_factor_at_once(officer, senior):
    app_for(officer)
    services.issue_recovery_codes(user=officer)
    reset = resets.reset_factors(target=officer, by=senior, reason="Phone lost; checked by call")
    assert reset.state == FactorReset.State.APPROVED and reset.decided_by == senior
    assert not services.has_primary_device(officer)
    assert services.recovery_codes_left(officer) == 0
    assert _events(officer, "factor_reset") == 1


def test_an_officer_may_not_reset_a_factor(officer, officer2, refused):
    app_for(officer2)
    with refused(PermissionDenied):
        resets.reset_factors(target=officer2, by=officer, reason="lost")
    assert services.has_primary_device(officer2)


def test_nobody_resets_their_own_factor(senior, refused):
    app_for(senior)
    with refused(resets.OwnFactor):
        resets.reset_factors(target=senior, by=senior, reason="lost")


def test_a_reason_is_required(officer, senior, refused):
    with refused(ReasonRequired):
        resets.reset_factors(target=officer, by=senior, reason="  ")


def test_a_senior_officers_reset_needs_a_second_senior(senior, senior2, senior3, refused):
    app_for(senior3)
    request = resets.reset_factors(target=senior3, by=senior, reason="New phone")
    assert request.state == FactorReset.State.REQUESTED
    assert services.has_primary_device(senior3)  # nothing deleted yet
    assert _events(senior3, "factor_reset_requested") == 1
    with refused(FourEyesViolation):
        resets.approve_reset(reset_id=request.pk, by=senior)
    with refused(resets.OwnFactor):
        resets.approve_reset(reset_id=request.pk, by=senior3)
    resets.approve_reset(reset_id=request.pk, by=senior2, note="Confirmed in person")
    request.refresh_from_db()
    assert request.state == FactorReset.State.APPROVED and request.decided_by == senior2
    assert not services.has_primary_device(senior3)
    assert _events(senior3, "factor_reset") == 1


def test_a_superusers_reset_needs_four_eyes_too(senior, senior2):
    root = UserFactory(username="root", is_superuser=True)
    app_for(root)
    request = resets.reset_factors(target=root, by=senior, reason="Lost key")
    assert request.state == FactorReset.State.REQUESTED
    resets.refuse_reset(reset_id=request.pk, by=senior2, note="Not the owner who called")
    request.refresh_from_db()
    assert request.state == FactorReset.State.REFUSED
    assert services.has_primary_device(root)
    assert _events(root, "factor_reset_refused") == 1


def test_a_refusal_needs_a_reason_and_a_decision_is_final(senior, senior2, senior3, refused):
    request = resets.reset_factors(target=senior3, by=senior, reason="New phone")
    with refused(ReasonRequired):
        resets.refuse_reset(reset_id=request.pk, by=senior2, note="")
    resets.approve_reset(reset_id=request.pk, by=senior2)
    with pytest.raises(resets.TransitionNotAllowed):
        resets.refuse_reset(reset_id=request.pk, by=senior2, note="too late")


def test_an_officer_cannot_decide_a_request(officer, senior, senior3, refused):
    request = resets.reset_factors(target=senior3, by=senior, reason="New phone")
    with refused(PermissionDenied):
        resets.approve_reset(reset_id=request.pk, by=officer)


def test_the_admin_reset_page_is_for_senior_officers(client, officer, officer2, senior):
    app_for(officer2)
    page = reverse("admin:twofactor_factorreset_reset")
    client.force_login(officer)
    assert client.get(page).status_code == 403
    client.force_login(senior)
    assert client.get(page).status_code == 200
    response = client.post(page, {"target": officer2.pk, "reason": "Phone stolen"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer2).exists()
    listing = client.get(reverse("admin:twofactor_factorreset_changelist"))
    assert b"Reset a second factor" in listing.content
    assert officer2.username.encode() in listing.content


def test_the_admin_decision_page_approves_with_four_eyes(client, senior, senior2, senior3):
    app_for(senior3)
    request = resets.reset_factors(target=senior3, by=senior, reason="New phone")
    decide = reverse("admin:twofactor_factorreset_decide", args=[request.pk])
    client.force_login(senior)
    refused = client.post(decide, {"note": "", "_approve": "1"})
    assert b"Another senior officer must decide" in refused.content
    client.force_login(senior2)
    assert client.post(decide, {"note": "", "_approve": "1"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=senior3, name="Authenticator app").exists()


def test_a_reset_is_never_deleted(client, senior, officer):
    reset = resets.reset_factors(target=officer, by=senior, reason="lost")
    superuser = UserFactory(username="root", is_superuser=True)
    client.force_login(superuser)
    url = reverse("admin:twofactor_factorreset_delete", args=[reset.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert FactorReset.objects.filter(pk=reset.pk).exists()


def test_after_a_reset_the_user_enrols_again(client, officer, senior):
    from tests.twofactor.helpers import password_log_in

    app_for(officer)
    resets.reset_factors(target=officer, by=senior, reason="lost")
    password_log_in(client, officer)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("twofactor:enrol"))


def test_the_device_admins_of_django_otp_are_not_a_way_around(client):
    root = UserFactory(username="root", is_superuser=True)
    client.force_login(root)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
