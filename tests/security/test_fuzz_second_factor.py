"""No input to the second step, the enrolment or the passkey endpoints makes a server error
(issue 15, "Bad input"): 250 posts drawn by hypothesis, odd fields, odd values, odd bodies."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory
from tests.twofactor.helpers import app_for, password_log_in

pytestmark = [pytest.mark.django_db, pytest.mark.real_second_factor]

FIELDS = st.sampled_from(["code", "next", "device", "csrfmiddlewaretoken", "x", ""])
VALUES = st.one_of(
    st.text(max_size=300),
    st.from_regex(r"\A[0-9 ]{0,12}\Z"),
    st.sampled_from(["//evil.example/", "javascript:alert(1)", "0" * 5000, "totp/1", "\x00"]),
)
FORMS = st.dictionaries(FIELDS, VALUES, max_size=4)
TARGETS = st.sampled_from(["verify", "enrol", "regenerate", "remove", "devices", "passkey"])


@pytest.fixture
def clients(db: None) -> dict[str, Client]:
    """A staff user with an app (at the second step), one without (at enrolment), and a
    portal user who opted in."""
    with_app, without = UserFactory(role="licence officer"), UserFactory(role="licence officer")
    app_for(with_app)
    portal = UserFactory(is_staff=False, role="applicant")
    app_for(portal)
    made = {"with_app": Client(), "without": Client(), "portal": Client()}
    password_log_in(made["with_app"], with_app)
    password_log_in(made["without"], without)
    made["portal"].force_login(portal)
    return made


@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    who=st.sampled_from(["with_app", "without", "portal"]),
    target=TARGETS,
    data=FORMS,
    body=st.binary(max_size=200),
)
def test_no_post_makes_a_server_error(clients: Any, who: str, target: str, data: dict, body):
    client = clients[who]
    if target == "passkey":
        url = reverse("otp_webauthn:credential-authentication-complete")
        response = client.post(url, data=body, content_type="application/json")
    else:
        response = client.post(reverse(f"twofactor:{target}"), data)
    assert response.status_code < 500, (target, data, response.status_code)
