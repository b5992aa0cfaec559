"""The second step as staff and portal users meet it: the gate on every page, enrolment, codes
from the app, recovery codes, throttling, the session id changing, and the logging."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from licensing.models import AuditEvent
from tests.factories import UserFactory
from tests.twofactor.helpers import app_for, code_for, password_log_in
from twofactor import services
from twofactor.models import RecoveryCodeDevice

pytestmark = [pytest.mark.django_db, pytest.mark.real_second_factor]

VERIFY = reverse("twofactor:verify")
ENROL = reverse("twofactor:enrol")


@pytest.mark.parametrize("page", ["/admin/", "/admin/licensing/application/", "/inspect/"])
def test_staff_without_a_factor_are_sent_to_enrol_from_every_page(client, officer, page):
    password_log_in(client, officer)
    response = client.get(page, follow=True)
    assert response.redirect_chain[-1][0].startswith(ENROL)
    assert b"Set up an authenticator app" in response.content


def test_the_admin_log_in_leads_to_the_second_step_and_a_code_opens_the_admin(client, officer):
    device = app_for(officer)
    password_log_in(client, officer)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    before = client.session.session_key
    response = client.post(VERIFY, {"code": code_for(device), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.session.session_key != before  # ASVS V7.2.4: a new id once verified
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_logged_and_then_throttled(client, officer, caplog):
    device = app_for(officer)
    password_log_in(client, officer)
    # The clock stands still: the second try comes within the wait however slow the machine.
    with (
        caplog.at_level(logging.INFO, logger="licensing.security"),
        time_machine.travel(time.time(), tick=False),
    ):
        response = client.post(VERIFY, {"code": "000000"})
        assert response.status_code == 200
        assert b"That code is not right" in response.content
        # The next try within the wait is refused even with the right code (django-otp's
        # throttle: 1 s, then 2, 4, ...), with 429 and a Retry-After.
        response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 429
    assert response["Retry-After"]
    assert client.get("/admin/").status_code == 302
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 2
    assert all("000000" not in r.getMessage() for r in caplog.records)
    assert all(code_for(device) not in r.getMessage() for r in caplog.records)


def test_after_the_wait_the_right_code_passes(client, officer):
    device = app_for(officer)
    password_log_in(client, officer)
    client.post(VERIFY, {"code": "000000"})
    with time_machine.travel(time.time() + 5, tick=False):
        response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302


def test_a_code_is_accepted_once(client, officer):
    device = app_for(officer)
    code = code_for(device)
    assert services.verify_code(user=officer, code=code)
    with pytest.raises(services.DomainError):
        services.verify_code(user=officer, code=code)


def test_enrolment_confirms_the_app_and_shows_ten_recovery_codes_once(client, officer):
    password_log_in(client, officer)
    page = client.get(ENROL)
    assert page.status_code == 200
    assert b"<svg" in page.content and b"totp-secret" in page.content
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed
    response = client.post(ENROL, {"code": "123"})
    assert b"That code is not right" in response.content
    with time_machine.travel(time.time() + 5, tick=False):
        response = client.post(ENROL, {"code": code_for(device), "next": "/admin/"})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200  # verified by the enrolment
    verbs = set(AuditEvent.objects.filter(object_id=str(officer.pk)).values_list("verb", flat=True))
    assert {"factor_enrolled", "recovery_codes_issued"} <= verbs
    # Shown once: the list of devices tells how many are left, never the codes.
    listing = client.get(reverse("twofactor:devices"))
    assert codes[0].encode() not in listing.content
    assert b"10 recovery codes left" in listing.content


def test_a_recovery_code_passes_the_step_once(client, officer):
    app_for(officer)
    codes = services.issue_recovery_codes(user=officer)
    password_log_in(client, officer)
    response = client.post(VERIFY, {"code": codes[0].upper(), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert services.recovery_codes_left(officer) == 9
    client.post(reverse("admin:logout"))
    password_log_in(client, officer)
    with time_machine.travel(time.time() + 5, tick=False):
        response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200  # used already


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_only_a_next_on_this_site_is_followed(client, officer, next_url):
    device = app_for(officer)
    password_log_in(client, officer)
    response = client.post(VERIFY, {"code": code_for(device), "next": next_url})
    assert response["Location"] == "/admin/"


def test_a_script_gets_403_json_rather_than_a_redirect(client, officer):
    app_for(officer)
    password_log_in(client, officer)
    response = client.get("/admin/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_verified"


def test_an_unverified_session_may_log_out_and_change_language(client, officer):
    app_for(officer)
    password_log_in(client, officer)
    assert client.post("/i18n/setlang/", {"language": "nb", "next": VERIFY}).status_code == 302
    assert client.post(reverse("admin:logout")).status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_passkey_cannot_be_added_before_the_second_step(client, officer):
    app_for(officer)
    password_log_in(client, officer)
    response = client.post(reverse("otp_webauthn:credential-registration-begin"))
    assert response.status_code == 403


def test_a_passkey_can_be_started_once_verified(client, officer):
    device = app_for(officer)
    password_log_in(client, officer)
    client.post(VERIFY, {"code": code_for(device)})
    response = client.post(reverse("otp_webauthn:credential-registration-begin"))
    assert response.status_code == 200
    assert response.json()["rp"]["id"] == "testserver"


def test_staff_keep_at_least_one_authenticator(client, officer):
    device = app_for(officer)
    password_log_in(client, officer)
    client.post(VERIFY, {"code": code_for(device)})
    remove = reverse("twofactor:remove")
    response = client.post(remove, {"device": device.persistent_id}, follow=True)
    assert b"This is your only authenticator" in response.content
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    second = app_for(officer)
    client.post(remove, {"device": second.persistent_id})
    assert not TOTPDevice.objects.filter(pk=second.pk).exists()
    assert AuditEvent.objects.filter(verb="factor_removed", object_id=str(officer.pk)).exists()


def test_nobody_removes_another_users_device(client, officer, officer2):
    device = app_for(officer)
    other = app_for(officer2)
    app_for(officer2)
    password_log_in(client, officer)
    client.post(VERIFY, {"code": code_for(device)})
    client.post(reverse("twofactor:remove"), {"device": other.persistent_id})
    assert TOTPDevice.objects.filter(pk=other.pk).exists()


def test_new_recovery_codes_need_a_fresh_code_from_the_app(client, officer):
    device = app_for(officer)
    old = services.issue_recovery_codes(user=officer)
    password_log_in(client, officer)
    client.post(VERIFY, {"code": code_for(device)})
    regenerate = reverse("twofactor:regenerate")
    with time_machine.travel(time.time() + 31, tick=False):
        refused = client.post(regenerate, {"code": old[1]}, follow=True)
        assert b"That code is not right" in refused.content
    with time_machine.travel(time.time() + 65, tick=False):
        response = client.post(regenerate, {"code": code_for(device)})
    assert response.status_code == 200
    new = response.context["codes"]
    assert not set(new) & set(old)
    assert services.recovery_codes_left(officer) == 10
    for code in old:  # none of the old codes passes any more
        assert not RecoveryCodeDevice.objects.get(user=officer).verify_token(code)
        RecoveryCodeDevice.objects.filter(user=officer).update(throttling_failure_count=0)


def _portal_user(**kwargs: Any) -> Any:
    return UserFactory(is_staff=False, role="applicant", **kwargs)


def test_portal_users_without_a_factor_sign_in_with_the_password(client):
    user = _portal_user()
    client.force_login(user)
    assert client.get(reverse("portal:home")).status_code == 200


def test_portal_users_may_opt_in_and_then_sign_in_asks_for_the_code(client):
    user = _portal_user(email="kari@example.org")
    client.force_login(user)
    devices = client.get(reverse("twofactor:devices"))
    assert b"Turn on two-step sign-in" in devices.content
    assert b'href="/static/licensing/twofactor.css"' in devices.content
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(ENROL, {"code": code_for(device)})
    assert len(response.context["codes"]) == 10
    assert b"portal.css" in response.content  # the portal's layout, not the admin's
    client.post(reverse("portal:logout"))
    signed_in = client.post(
        reverse("portal:login"),
        {"username": "kari@example.org", "password": "correct horse battery staple"},
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("portal:home"))["Location"].startswith(VERIFY)
    with time_machine.travel(time.time() + 31, tick=False):
        response = client.post(VERIFY, {"code": code_for(device)})
    assert response["Location"] == reverse("portal:home")


def test_a_portal_user_may_turn_the_second_step_off_again(client):
    user = _portal_user()
    device = app_for(user)
    services.issue_recovery_codes(user=user)
    client.force_login(user)
    client.post(VERIFY, {"code": code_for(device)})
    client.post(reverse("twofactor:remove"), {"device": device.persistent_id})
    assert not services.has_primary_device(user)
    assert services.recovery_codes_left(user) == 0
    assert client.get(reverse("portal:home")).status_code == 200


def test_the_admin_and_the_portal_link_to_the_second_factor_page(client, officer):
    devices = reverse("twofactor:devices")
    device = app_for(officer)
    password_log_in(client, officer)
    client.post(VERIFY, {"code": code_for(device)})
    assert f'href="{devices}"'.encode() in client.get("/admin/").content
    page = client.get(devices)
    assert b"Authenticator apps" in page.content and b"Add a passkey" in page.content
    portal_user = _portal_user()
    client.force_login(portal_user)
    assert f'href="{devices}"'.encode() in client.get(reverse("portal:home")).content


def test_a_second_app_keeps_the_recovery_codes(client, officer):
    device = app_for(officer)
    codes = services.issue_recovery_codes(user=officer)
    password_log_in(client, officer)
    client.post(VERIFY, {"code": code_for(device)})
    client.get(ENROL)
    second = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post(ENROL, {"code": code_for(second)})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).count() == 2
    assert services.recovery_codes_left(officer) == 10
    assert RecoveryCodeDevice.objects.get(user=officer).verify_token(codes[3])
