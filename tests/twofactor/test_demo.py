"""`make run`'s demo staff users have a TOTP device with a fixed, printed secret, and
`manage.py demo_code` shows the code of the moment (DEBUG only)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from licensing.demo.users import DEMO_USERS, ensure_demo_users
from licensing.signals import demo_loaded
from twofactor import services
from twofactor.demo import demo_code, demo_secret

pytestmark = pytest.mark.django_db


def test_every_demo_staff_user_has_the_printed_secret_and_it_is_idempotent():
    users = ensure_demo_users(password="demo-password-2026")
    demo_loaded.send(sender=None)
    demo_loaded.send(sender=None)
    for spec in DEMO_USERS:
        devices = TOTPDevice.objects.filter(user=users[spec.username], confirmed=True)
        if spec.staff or spec.superuser:
            assert devices.count() == 1
            assert len(demo_secret(spec.username)) == 32
        else:
            assert not devices.exists()
    officer = users["officer"]
    assert services.verify_code(user=officer, code=demo_code("officer"))
    assert demo_secret("officer") != demo_secret("senior")


def test_demo_code_prints_the_current_code(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_code", "senior", stdout=out)
    assert out.getvalue().strip() == demo_code("senior")


def test_demo_code_refuses_with_debug_off_and_for_other_users(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("demo_code", "senior", stdout=io.StringIO())
    settings.DEBUG = True
    with pytest.raises(CommandError, match="not a demo staff user"):
        call_command("demo_code", "applicant", stdout=io.StringIO())
