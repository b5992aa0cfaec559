"""The officers' log-in: a username over its length is a form error, not a 500 from django-axes
storing it, and the attempt still counts towards the lock-out."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ADDRESS = {"REMOTE_ADDR": "192.0.2.10"}
LONG_NAME = "Officer" + "x" * 293  # 300 characters
GUESS = "guess"


def post_login(client, username: str, password: str = GUESS):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, **ADDRESS
    )


def test_a_username_over_its_length_is_a_form_error_and_a_counted_attempt(client):
    response = post_login(client, LONG_NAME)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["username"] == ["Ensure this value has at most 150 characters (it has 300)."]
    assert "Ensure this value has at most 150 characters" in response.content.decode()
    # Counted, under the name cut to what django-axes stores (and lower-cased, as every name).
    attempt = AccessAttempt.objects.get()
    assert attempt.username == LONG_NAME[:255].lower()
    assert attempt.failures_since_start == 1
    assert attempt.ip_address == ADDRESS["REMOTE_ADDR"]


def test_long_usernames_are_locked_out_like_any_other(client):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, LONG_NAME).status_code == 200
    assert post_login(client, LONG_NAME).status_code == 429
    assert post_login(client, LONG_NAME).status_code == 429
    assert AccessAttempt.objects.get().failures_since_start >= settings.AXES_FAILURE_LIMIT


def test_an_officer_still_signs_in(client, officer):
    officer.set_password("correct horse battery staple")
    officer.save()
    response = post_login(client, officer.username, "correct horse battery staple")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)
