"""The one door for second-factor state: enrolment, the second step, recovery codes, removal.
Views call these; each change writes an audit event on the User (ASVS V6.3, V16.3.1) and a
line on the "licensing.security" logger. No code, secret or recovery code is ever logged."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from licensing.exceptions import DomainError
from licensing.models.audit import Verb
from licensing.services.audit import record_event
from twofactor import notifications
from twofactor.models import (
    RecoveryCode,
    RecoveryCodeDevice,
    hash_recovery_code,
    new_recovery_code,
)

log = logging.getLogger("licensing.security")

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


class WrongCode(DomainError):
    default_message = _("That code is not right, or it has been used already. Try again.")


class TooManyTries(DomainError):
    default_message = _("Too many wrong codes. Wait a moment before you try again.")


class LastFactor(DomainError):
    default_message = _(
        "This is your only authenticator: add another one before you remove it. Staff accounts "
        "always keep a second factor."
    )


def is_staff_account(user: Any) -> bool:
    """Every account that works in the admin must use a second factor (ASVS V6.3.3)."""
    return bool(user.is_staff or user.is_superuser)


def primary_devices(user: Any) -> list[Device]:
    """Confirmed authenticators other than recovery codes: apps and passkeys."""
    return [
        *TOTPDevice.objects.devices_for_user(user, confirmed=True),
        *WebAuthnCredential.objects.devices_for_user(user, confirmed=True),
    ]


def has_primary_device(user: Any) -> bool:
    return (
        TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
        or WebAuthnCredential.objects.devices_for_user(user, confirmed=True).exists()
    )


def recovery_codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(
        device__user=user, device__confirmed=True, used_at__isnull=True
    ).count()


def kind_of(device: Device) -> str:
    if isinstance(device, TOTPDevice):
        return "totp"
    if isinstance(device, RecoveryCodeDevice):
        return "recovery_codes"
    return "passkey"


@transaction.atomic
def start_totp_enrolment(*, user: Any) -> TOTPDevice:
    """A new, unconfirmed TOTP secret for ``user`` (an earlier unconfirmed one is dropped)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def pending_totp(*, user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def confirm_totp(*, user: Any, code: str) -> TOTPDevice:
    """The user proves the app holds the secret: the device becomes usable. A wrong code counts
    against the device's throttle and the count is kept (the refusal is raised after commit)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).last()
        refusal: DomainError | None = None
        if device is None:
            refusal = WrongCode()
        elif not device.verify_is_allowed()[0]:
            refusal = TooManyTries()
        elif not device.verify_token(code):
            refusal = WrongCode()
        else:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            event = record_event(
                user, verb=Verb.FACTOR_ENROLLED, by=user, changes={"device": "totp"}
            )
            notifications.tell_user(user=user, template=notifications.FACTOR_ENROLLED, event=event)
    if refusal is not None or device is None:
        log.warning("second factor: enrolment code refused user=%s", user.pk)
        raise refusal or WrongCode()
    log.info("second factor: TOTP enrolled user=%s", user.pk)
    return device


@transaction.atomic
def record_passkey_enrolled(*, user: Any, device_id: int) -> None:
    """django-otp-webauthn saved the credential; the audit trail learns of it here."""
    event = record_event(user, verb=Verb.FACTOR_ENROLLED, by=user, changes={"device": "passkey"})
    notifications.tell_user(user=user, template=notifications.FACTOR_ENROLLED, event=event)
    log.info("second factor: passkey enrolled user=%s device=%s", user.pk, device_id)


@transaction.atomic
def issue_recovery_codes(*, user: Any, tell: bool = False) -> list[str]:
    """Ten new one-time codes; all earlier ones stop working. Shown once and stored only as
    password hashes (ASVS V6.5.2); each passes once (V6.5.1). With ``tell`` the user is
    mailed (V6.3.7); at the first enrolment the mail about the new app says enough."""
    delete_recovery_codes(user)
    device = RecoveryCodeDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [new_recovery_code() for _n in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=hash_recovery_code(code)) for code in codes
    )
    event = record_event(
        user, verb=Verb.RECOVERY_CODES_ISSUED, by=user, changes={"count": len(codes)}
    )
    if tell:
        notifications.tell_user(
            user=user, template=notifications.RECOVERY_CODES_ISSUED, event=event
        )
    log.info("second factor: recovery codes issued user=%s", user.pk)
    return codes


def regenerate_recovery_codes(*, user: Any, code: str) -> list[str]:
    """New codes need a fresh code from an authenticator app (not a recovery code)."""
    verify_code(user=user, code=code, recovery=False)
    return issue_recovery_codes(user=user, tell=True)


def delete_recovery_codes(user: Any) -> int:
    """The user's recovery codes, and any clear-text ones django-otp's StaticDevice held before
    migration twofactor 0002 (ASVS V6.5.2): those never pass the step."""
    from django_otp.plugins.otp_static.models import StaticDevice

    deleted, _by_model = RecoveryCodeDevice.objects.filter(user=user).delete()
    legacy, _by_model = StaticDevice.objects.filter(user=user).delete()
    return deleted + legacy


def verify_code(*, user: Any, code: str, recovery: bool = True) -> Device:
    """The second step: a TOTP code, else (with ``recovery``) a one-time recovery code, which
    is used up; django-otp's clear-text StaticDevice codes are not accepted (ASVS V6.5.2).
    Each device counts its failures and makes the next try wait (django-otp throttling, ASVS
    V6.3.1). Raises WrongCode or TooManyTries."""
    code = "".join(str(code).split()).lower()[:16]
    classes: list[type[Device]] = [TOTPDevice, RecoveryCodeDevice] if recovery else [TOTPDevice]
    throttled = False
    with transaction.atomic():
        for model in classes:
            devices = model.objects.devices_for_user(user, confirmed=True).select_for_update()
            for device in devices:
                allowed, _info = device.verify_is_allowed()
                if not allowed:
                    throttled = True
                    continue
                if device.verify_token(code):
                    kind = kind_of(device)
                    log.info("second factor: verified user=%s device=%s", user.pk, kind)
                    if kind == "recovery_codes":
                        log.warning(
                            "second factor: recovery code used user=%s left=%s",
                            user.pk,
                            recovery_codes_left(user),
                        )
                    return device
    log.warning("second factor: refused user=%s throttled=%s", user.pk, throttled)
    if throttled:
        raise TooManyTries()
    raise WrongCode()


@transaction.atomic
def remove_device(*, user: Any, device: Device) -> None:
    """The user removes one of their own authenticators. Staff keep at least one app or
    passkey; a portal user who removes the last turns two-step sign-in off (and the recovery
    codes with it)."""
    if device.user_id != user.pk or not isinstance(device, TOTPDevice | WebAuthnCredential):
        raise DomainError()
    others = [d for d in primary_devices(user) if d.persistent_id != device.persistent_id]
    if not others and is_staff_account(user):
        raise LastFactor()
    kind = kind_of(device)
    device.delete()
    if not others:
        delete_recovery_codes(user)
    event = record_event(user, verb=Verb.FACTOR_REMOVED, by=user, changes={"device": kind})
    notifications.tell_user(user=user, template=notifications.FACTOR_REMOVED, event=event)
    log.info("second factor: %s removed user=%s", kind, user.pk)


def device_by_persistent_id(*, user: Any, persistent_id: str) -> Device | None:
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk:
        return None
    return device


def delete_all_devices(user: Any) -> int:
    """Every authenticator and recovery code of ``user``: the reset of a lost factor."""
    count = delete_recovery_codes(user)
    for model in (TOTPDevice, WebAuthnCredential):
        deleted, _by_model = model.objects.filter(user=user).delete()
        count += deleted
    return count
