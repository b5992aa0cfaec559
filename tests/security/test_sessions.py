"""Session lifetimes (issue 15, item 6; licensing/sessions.py): staff sessions end 8 hours after
log-in and after 30 idle minutes; a portal session ends with the browser unless the user ticks
"Remember me", then two weeks after log-in."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from licensing.models import PortalProfile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery staple"  # UserFactory's


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)

    def at(**delta: float) -> None:
        time_machine.move_to(START + dt.timedelta(**delta), tick=False)

    return at


def signed_out_to_login(response, next_url: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?{urlencode({'next': next_url})}"


def test_a_staff_session_ends_eight_hours_after_log_in(client, officer, clock):
    client.force_login(officer)
    for minutes in range(20, 8 * 60, 20):  # busy all day: never idle
        clock(minutes=minutes)
        assert client.get(reverse("admin:index")).status_code == 200
    clock(hours=8, seconds=1)
    response = client.get(reverse("admin:index"))
    signed_out_to_login(response, reverse("admin:index"))
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "your session reached its limit of 8 hours" in page.content.decode()


def test_a_staff_session_ends_after_thirty_idle_minutes(client, officer, clock):
    client.force_login(officer)
    clock(minutes=29)
    assert client.get(reverse("admin:index")).status_code == 200
    clock(minutes=29 + 30, seconds=30)  # the last request was 30.5 minutes ago
    changelist = reverse("admin:licensing_licence_changelist") + "?q=x"
    response = client.get(changelist)
    signed_out_to_login(response, changelist)
    page = client.get(response["Location"])
    assert "signed out after 30 minutes without activity" in page.content.decode()
    # Signing in again starts afresh.
    client.force_login(officer)
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_lifetimes_come_from_settings(client, officer, clock, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 5
    client.force_login(officer)
    clock(minutes=6)
    assert client.get(reverse("admin:index")).status_code == 302


def portal_user() -> Any:
    user = UserFactory(
        username="kari@example.com", email="kari@example.com", is_staff=False, role="applicant"
    )
    PortalProfile.objects.create(user=user, language="en", email_verified_at=timezone.now())
    return get_user_model().objects.get(pk=user.pk)


def portal_log_in(client, **extra: str):
    data = {"username": "kari@example.com", "password": PASSWORD, **extra}
    return client.post(reverse("portal:login"), data)


def test_a_portal_session_ends_with_the_browser_unless_remembered(client, clock):
    portal_user()
    page = client.get(reverse("portal:login")).content.decode()
    assert 'name="remember"' in page
    assert "Remember me on this device" in page
    assert portal_log_in(client).status_code == 302
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert client.session.get_expire_at_browser_close()
    # Not a staff session: hours without a request do not end it while the browser is open.
    clock(hours=9)
    assert client.get(reverse("portal:change_email")).status_code == 200


def test_remember_me_keeps_a_portal_session_two_weeks_from_log_in(client, clock):
    portal_user()
    assert portal_log_in(client, remember="on").status_code == 302
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 14 * 24 * 3600
    assert not client.session.get_expire_at_browser_close()
    clock(days=13)
    assert client.get(reverse("portal:change_email")).status_code == 200
    clock(days=14, seconds=1)  # a fixed end: the visit the day before did not extend it
    response = client.get(reverse("portal:change_email"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_staff_are_not_remembered_even_when_they_tick_the_box(client, officer):
    officer.set_password(PASSWORD)
    officer.save()
    data = {"username": officer.username, "password": PASSWORD, "remember": "on"}
    assert client.post(reverse("portal:login"), data)["Location"] == reverse("admin:index")
    assert client.session.get_expire_at_browser_close()
