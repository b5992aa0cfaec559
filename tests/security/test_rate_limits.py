"""Abuse limits on the public forms that send mail (issue 15, item 6; docs/abuse-limits.md):
per client address and per recipient, counted before anything is sent, refused with 429, a
translated page, a Retry-After header and a log record that names no address or e-mail."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from licensing.models import Notification, PortalProfile
from licensing.ratelimit import hashed
from tests.factories import PartyFactory, UserFactory

pytestmark = pytest.mark.django_db

A = {"REMOTE_ADDR": "192.0.2.10"}
B = {"REMOTE_ADDR": "198.51.100.20"}
PASSWORD = "correct horse battery staple"  # UserFactory's
NEW_PASSWORD = "Tobakk-Lisens-2026!"
GUESS = "guess"


def portal_user(email: str = "kari@example.com") -> Any:
    user = UserFactory(username=email, email=email, is_staff=False, role="applicant")
    PortalProfile.objects.create(user=user, language="en", email_verified_at=timezone.now())
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def refusals(caplog):
    caplog.set_level(logging.WARNING, logger="licensing.security")
    return lambda: [r for r in caplog.records if r.name == "licensing.security"]


def assert_refused(response, text: str = "Too many requests") -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert text in response.content.decode()


def reset(client, email: str, **extra):
    return client.post(reverse("portal:password_reset"), {"email": email}, **extra)


# --- Password reset ---------------------------------------------------------------------------


def test_thirty_resets_to_one_victim_send_three(client, commit, mailoutbox, refusals, time_machine):
    time_machine.move_to("2026-12-04 10:00:00+00:00", tick=False)  # a window's start
    portal_user()
    for _attempt in range(3):
        with commit():
            assert reset(client, "kari@example.com", **A).status_code == 302
    assert len(mailoutbox) == 3
    sent = Notification.objects.count()

    # Per recipient: from another address, in another spelling, still refused, nothing sent.
    for variant, address in [("kari@example.com", A), (" KARI@Example.COM ", B)]:
        with commit():
            response = reset(client, variant, **address)
        assert_refused(response, "Too many requests for this e-mail address")
        assert response["Retry-After"] == "3600"
    for _attempt in range(25):
        reset(client, "kari@example.com", **B)
    assert len(mailoutbox) == 3
    assert Notification.objects.count() == sent

    record = refusals()[0]
    assert "limit=password_reset_recipient" in record.getMessage()
    assert hashed("kari@example.com") in record.getMessage()
    assert all("kari" not in r.getMessage().lower() for r in refusals())


def test_one_address_asking_for_many_resets_is_slowed(
    client, commit, mailoutbox, refusals, one_window
):
    one_window(900)
    for number in range(10):
        assert reset(client, f"person{number}@example.com", **A).status_code == 302
    portal_user()
    with commit():
        response = reset(client, "kari@example.com", **A)
    assert_refused(response, "Too many requests from your address")
    assert 0 < int(response["Retry-After"]) <= 900
    assert mailoutbox == []
    # The page is the portal's; the log names the limit and the hashed address only.
    assert 'class="site-nav"' in response.content.decode()
    (record,) = refusals()
    assert "limit=password_reset_address" in record.getMessage()
    assert hashed(A["REMOTE_ADDR"]) in record.getMessage()
    assert A["REMOTE_ADDR"] not in record.getMessage()
    # Another address is not affected, and the refusal used up nothing of Kari's allowance.
    with commit():
        assert reset(client, "kari@example.com", **B).status_code == 302
    assert len(mailoutbox) == 1


# --- Sign-up ----------------------------------------------------------------------------------


def sign_up(client, email: str, **extra):
    data = {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "language": "en"}
    return client.post(reverse("portal:signup"), data, **extra)


def test_sign_up_is_limited_per_recipient(client, commit, mailoutbox, refusals, one_window):
    one_window(3600)
    with commit():
        assert sign_up(client, "ola@example.com", **A).status_code == 302
    for address in (A, B):  # the address is taken now: a form error, but counted
        assert sign_up(client, "Ola@Example.com", **address).status_code == 200
    with commit():
        response = sign_up(client, "ola@example.com", **B)
    assert_refused(response, "Too many requests for this e-mail address")
    assert len(mailoutbox) == 1
    assert "limit=signup_recipient" in refusals()[0].getMessage()


def test_sign_up_is_limited_per_address(client, commit, mailoutbox, one_window):
    one_window(3600)
    for number in range(10):
        sign_up(client, f"person{number}@example.com", **A)
        client.logout()
    sent = len(mailoutbox)
    with commit():
        assert_refused(sign_up(client, "new@example.com", **A), "from your address")
    assert len(mailoutbox) == sent
    assert not get_user_model().objects.filter(username="new@example.com").exists()
    with commit():
        assert sign_up(client, "new@example.com", **B).status_code == 302


# --- Change of e-mail address and invitations --------------------------------------------------


def test_a_change_of_address_is_limited_per_recipient(
    client, commit, mailoutbox, refusals, one_window
):
    one_window(3600)
    client.force_login(portal_user())
    data = {"new_email": "victim@example.com", "password": PASSWORD}
    for _attempt in range(3):
        with commit():
            assert client.post(reverse("portal:change_email"), data, **A).status_code == 302
    with commit():
        response = client.post(reverse("portal:change_email"), data, **B)
    assert_refused(response, "Too many requests for this e-mail address")
    assert len(mailoutbox) == 3
    assert "limit=email_change_recipient" in refusals()[0].getMessage()


def test_invitations_are_limited_per_recipient(
    client, commit, mailoutbox, applicant_for, one_window
):
    one_window(3600)
    parties = PartyFactory.create_batch(4)
    inviter = applicant_for(parties[0])
    for party in parties[1:]:
        assign_perm("licensing.act_for_party", inviter, party)
    client.force_login(get_user_model().objects.get(pk=inviter.pk))
    for party in parties[:3]:
        data = {"party": str(party.public_id), "email": "ola@example.com"}
        with commit():
            assert client.post(reverse("portal:invite"), data, **A).status_code == 302
    data = {"party": str(parties[3].public_id), "email": "OLA@example.com"}
    with commit():
        response = client.post(reverse("portal:invite"), data, **A)
    assert_refused(response, "Too many requests for this e-mail address")
    assert len(mailoutbox) == 3


# --- Password spraying -------------------------------------------------------------------------


def admin_login(client, username: str, password: str = GUESS, **extra):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, **extra
    )


def test_spraying_names_from_one_address_is_refused_but_not_the_officer_elsewhere(
    client, officer, refusals, one_window
):
    one_window(900)
    officer.set_password(PASSWORD)
    officer.save()
    # 20 names, one try each: django-axes (name and address) never locks; the address does.
    for number in range(20):
        assert admin_login(client, f"officer{number}", **A).status_code == 200
    refused = admin_login(client, officer.username, PASSWORD, **A)
    assert_refused(refused, "Too many requests from your address")
    assert 0 < int(refused["Retry-After"]) <= 900
    assert 'id="site-name"' in refused.content.decode()  # the admin's look
    assert "_auth_user_id" not in client.session
    # The portal's form is refused from there too, whatever the name.
    assert_refused(
        client.post(reverse("portal:login"), {"username": "x@example.com", "password": "y"}, **A)
    )
    record = refusals()[0].getMessage()
    assert "limit=login_failures_address" in record
    assert "view=admin:login" in record
    assert A["REMOTE_ADDR"] not in record

    # The officer, from another address, signs in.
    other = type(client)()
    assert admin_login(other, officer.username, PASSWORD, **B).status_code == 302
    assert other.session["_auth_user_id"] == str(officer.pk)


def test_spraying_the_portal_log_in_is_refused_until_the_window_ends(client, time_machine):
    time_machine.move_to("2026-12-04 10:00:00+00:00", tick=False)
    portal_user()
    for number in range(20):
        data = {"username": f"p{number}@example.com", "password": "guess"}
        assert client.post(reverse("portal:login"), data, **A).status_code == 200
    data = {"username": "kari@example.com", "password": PASSWORD}
    refused = client.post(reverse("portal:login"), data, **A)
    assert_refused(refused)
    assert refused["Retry-After"] == "900"
    assert client.get(reverse("portal:login"), **A).status_code == 200  # the page still shows
    time_machine.move_to("2026-12-04 10:15:00+00:00", tick=False)
    assert client.post(reverse("portal:login"), data, **A).status_code == 302


def test_public_lookups_are_logged_when_refused(client, settings, refusals, one_window):
    one_window(60)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify": (1, 60)}
    url = reverse("verify:licence_json", args=["TL-2026-000123-K"])
    assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 429
    assert response.json()["error"] == "too_many_requests"
    assert "limit=verify kind=address" in refusals()[0].getMessage()


def test_a_django_axes_lock_out_says_when_to_retry_and_is_logged(client, refusals):
    portal_user()
    data = {"username": "Kari@example.com", "password": GUESS}
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(reverse("portal:login"), data, **A).status_code == 200
    locked = client.post(reverse("portal:login"), data, **A)
    assert_refused(locked, "Too many attempts to sign in")
    assert locked["Retry-After"] == str(settings.AXES_COOLOFF_TIME.seconds)
    record = refusals()[-1].getMessage()
    assert f"limit=axes name={hashed('kari@example.com')}" in record
    assert "kari" not in record.lower()
    assert A["REMOTE_ADDR"] not in record
