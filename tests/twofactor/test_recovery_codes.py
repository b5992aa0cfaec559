"""Recovery codes are lookup secrets of 50 bits: stored only as password hashes (ASVS V6.5.2),
each passing the second step once (V6.5.1), wrong ones throttled (V6.3.1), all replaced when
new ones are issued. django-otp's clear-text static tokens no longer pass."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.twofactor.helpers import app_for, code_for, password_log_in
from twofactor import services
from twofactor.models import RecoveryCode, RecoveryCodeDevice

pytestmark = [pytest.mark.django_db, pytest.mark.real_second_factor]

VERIFY = reverse("twofactor:verify")


class FewerRounds(PBKDF2PasswordHasher):
    """The production hasher's algorithm, with fewer rounds to keep the suite fast."""

    iterations = 1000


def test_the_stored_value_is_a_password_hash_not_the_code(officer, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.FewerRounds"]
    codes = services.issue_recovery_codes(user=officer)
    stored = list(
        RecoveryCode.objects.filter(device__user=officer).values_list("code_hash", flat=True)
    )
    assert len(stored) == 10
    for code, value in zip(codes, stored, strict=True):
        assert code.replace("-", "") not in value
        assert identify_hasher(value).algorithm == "pbkdf2_sha256"
    assert len(set(stored)) == 10  # salted: no two alike
    assert services.kind_of(services.verify_code(user=officer, code=codes[2])) == "recovery_codes"
    assert not StaticToken.objects.exists()  # nothing in django-otp's clear-text table


def test_a_code_passes_once(client, officer):
    app_for(officer)
    codes = services.issue_recovery_codes(user=officer)
    password_log_in(client, officer)
    response = client.post(VERIFY, {"code": f" {codes[4].upper().replace('-', ' ')} "})
    assert response.status_code == 302  # typed in capitals, with a space for the dash
    code = RecoveryCode.objects.get(device__user=officer, used_at__isnull=False)
    assert services.recovery_codes_left(officer) == 9
    client.post(reverse("admin:logout"))
    password_log_in(client, officer)
    with time_machine.travel(time.time() + 5, tick=False):
        again = client.post(VERIFY, {"code": codes[4]})
    assert again.status_code == 200 and b"That code is not right" in again.content
    assert client.get("/admin/").status_code == 302
    code.refresh_from_db()
    assert code.used_at is not None  # the used code is kept, marked, and never passes again


def test_a_wrong_code_is_refused_and_throttled(client, officer):
    app_for(officer)
    codes = services.issue_recovery_codes(user=officer)
    password_log_in(client, officer)
    # The clock stands still: the second try comes within django-otp's 1 s wait, however slow
    # the machine.
    with time_machine.travel(time.time(), tick=False):
        wrong = client.post(VERIFY, {"code": "aaaaa-bbbbb"})
        assert wrong.status_code == 200 and b"That code is not right" in wrong.content
        device = RecoveryCodeDevice.objects.get(user=officer)
        assert device.throttling_failure_count == 1
        # Within the wait even a right code is refused, with 429; nothing is used up.
        throttled = client.post(VERIFY, {"code": codes[0]})
    assert throttled.status_code == 429 and throttled["Retry-After"]
    assert services.recovery_codes_left(officer) == 10
    with time_machine.travel(time.time() + 5, tick=False):
        passed = client.post(VERIFY, {"code": codes[0]})
    assert passed.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_regeneration_replaces_every_code(officer):
    old = services.issue_recovery_codes(user=officer)
    first = RecoveryCodeDevice.objects.get(user=officer)
    device = app_for(officer)
    with time_machine.travel(time.time() + 31, tick=False):
        new = services.regenerate_recovery_codes(user=officer, code=code_for(device))
    assert not set(new) & set(old)
    assert not RecoveryCodeDevice.objects.filter(pk=first.pk).exists()
    assert RecoveryCode.objects.filter(device__user=officer).count() == 10
    for code in old:
        with pytest.raises(services.WrongCode):
            services.verify_code(user=officer, code=code)
        for model in (RecoveryCodeDevice, TOTPDevice):  # each wrong code made both wait
            model.objects.filter(user=officer).update(throttling_failure_count=0)
    assert services.kind_of(services.verify_code(user=officer, code=new[9])) == "recovery_codes"


def test_regeneration_needs_a_code_from_the_app_not_a_recovery_code(officer, refused):
    app_for(officer)
    codes = services.issue_recovery_codes(user=officer)
    with refused(services.WrongCode):
        services.regenerate_recovery_codes(user=officer, code=codes[0])
    assert services.recovery_codes_left(officer) == 10


def test_clear_text_static_tokens_from_before_no_longer_pass(client, officer):
    """A database migrated before twofactor 0002 may hold django-otp's static tokens: they
    are refused, and issuing new codes (or a reset) deletes them."""
    app_for(officer)
    legacy = StaticDevice.objects.create(user=officer, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=legacy, token="abcdefgh")
    with pytest.raises(services.WrongCode):
        services.verify_code(user=officer, code="abcdefgh")
    password_log_in(client, officer)
    with time_machine.travel(time.time() + 5, tick=False):
        response = client.post(VERIFY, {"code": "abcdefgh"})
    assert response.status_code == 200 and b"That code is not right" in response.content
    assert client.get("/admin/").status_code == 302
    services.issue_recovery_codes(user=officer)
    assert not StaticDevice.objects.filter(user=officer).exists()


def test_an_app_code_does_not_cost_ten_hashes(officer, django_assert_max_num_queries):
    """A six-digit code is not in the recovery codes' format: they are not even read."""
    app_for(officer)
    services.issue_recovery_codes(user=officer)
    device = RecoveryCodeDevice.objects.get(user=officer)
    with django_assert_max_num_queries(1):  # the throttle's count only
        assert not device.verify_token("123456")
