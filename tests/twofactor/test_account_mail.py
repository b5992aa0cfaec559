"""ASVS V6.3.7: after a change to how a user signs in (a factor enrolled or removed, new
recovery codes, a reset done or asked for), the user gets an e-mail in their language, after
the commit, without any code or secret in it."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from licensing.models import Notification, PortalProfile
from tests.factories import UserFactory
from tests.twofactor.helpers import app_for, code_for, password_log_in
from twofactor import resets, services
from twofactor.views import base64_secret

pytestmark = [pytest.mark.django_db, pytest.mark.real_second_factor]

VERIFY = reverse("twofactor:verify")
ENROL = reverse("twofactor:enrol")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what the request queued for after the commit (the e-mail task runs eagerly)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def verified(client: Any, user: Any) -> TOTPDevice:
    device = app_for(user)
    password_log_in(client, user)
    client.post(VERIFY, {"code": code_for(device)})
    return device


def test_enrolling_an_app_mails_the_user_once_without_the_secret_or_the_codes(
    client, officer, commit, mailoutbox
):
    password_log_in(client, officer)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=officer)
    client.post(ENROL, {"code": "000000"})
    assert mailoutbox == []  # a refused code changes nothing and tells nothing
    with time_machine.travel(time.time() + 5, tick=False), commit():
        response = client.post(ENROL, {"code": code_for(device)})
    (mail,) = mailoutbox  # the recovery codes of a first enrolment need no second mail
    assert mail.to == [officer.email]
    assert mail.subject == "A second factor was added to your account"
    assert "has just been added to your account" in mail.body
    for secret in [base64_secret(device), device.key, *response.context["codes"]]:
        assert secret not in mail.body and secret.replace("-", "") not in mail.body


def test_removing_a_factor_mails_the_user(client, officer, commit, mailoutbox):
    verified(client, officer)
    second = app_for(officer)
    with commit():
        client.post(reverse("twofactor:remove"), {"device": second.persistent_id})
    (mail,) = mailoutbox
    assert mail.to == [officer.email]
    assert mail.subject == "A second factor was removed from your account"


def test_a_refused_removal_mails_nobody(client, officer, commit, mailoutbox):
    device = verified(client, officer)
    with commit():
        client.post(reverse("twofactor:remove"), {"device": device.persistent_id})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert mailoutbox == []


def test_new_recovery_codes_mail_the_user_without_the_codes(client, officer, commit, mailoutbox):
    device = verified(client, officer)
    services.issue_recovery_codes(user=officer)
    with time_machine.travel(time.time() + 65, tick=False), commit():
        response = client.post(reverse("twofactor:regenerate"), {"code": code_for(device)})
    (mail,) = mailoutbox
    assert mail.to == [officer.email]
    assert mail.subject == "New recovery codes for your account"
    for code in response.context["codes"]:
        assert code not in mail.body and code.replace("-", "") not in mail.body


def test_a_passkey_enrolled_mails_the_user(officer, commit, mailoutbox):
    with commit():
        services.record_passkey_enrolled(user=officer, device_id=1)
    assert [m.subject for m in mailoutbox] == ["A second factor was added to your account"]


def test_a_reset_mails_the_user_whose_factors_went(officer, senior, commit, mailoutbox):
    app_for(officer)
    with commit():
        resets.reset_factors(target=officer, by=senior, reason="Phone lost; checked by call")
    (mail,) = mailoutbox
    assert mail.to == [officer.email]  # the user, not the senior officer who did it
    assert mail.subject == "The second factor of your account was reset"
    assert "Phone lost" not in mail.body  # the reason stays in the audit trail


def test_a_requested_reset_mails_the_senior_and_the_approval_mails_again(
    senior, senior2, commit, mailoutbox
):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    app_for(senior)
    with commit():
        reset = resets.reset_factors(target=senior, by=superuser, reason="Lost the key")
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([senior.email], "A reset of your second factor was requested")
    ]
    with commit():
        resets.approve_reset(reset_id=reset.pk, by=senior2)
    assert [m.subject for m in mailoutbox][1:] == ["The second factor of your account was reset"]


def test_a_refused_reset_request_mails_nobody(officer, senior, commit, mailoutbox, refused):
    app_for(senior)
    with refused(resets.OwnFactor), commit():
        resets.reset_factors(target=senior, by=senior, reason="lost")
    assert mailoutbox == []


def test_the_mail_is_queued_in_the_users_language_and_sent_only_on_commit(
    django_capture_on_commit_callbacks, mailoutbox
):
    user = UserFactory(username="kari@example.com", email="kari@example.com", is_staff=False)
    PortalProfile.objects.create(user=user, language="hu", email_verified_at=timezone.now())
    device = app_for(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.issue_recovery_codes(user=user)
        services.regenerate_recovery_codes(user=user, code=code_for(device))
    assert mailoutbox == [] and callbacks  # nothing leaves before the commit
    notification = Notification.objects.get(template="recovery_codes_issued")
    assert (notification.recipient, notification.language) == ("kari@example.com", "hu")
    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [["kari@example.com"]]


def test_an_account_without_an_address_is_not_mailed_and_that_is_logged(
    officer, senior, commit, mailoutbox, caplog
):
    officer.email = ""
    officer.save(update_fields=["email"])
    with caplog.at_level(logging.WARNING, logger="licensing.security"), commit():
        resets.reset_factors(target=officer, by=senior, reason="Phone lost")
    assert mailoutbox == []
    assert "not mailed: no address" in caplog.text
