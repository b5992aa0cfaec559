"""Passkeys through django-otp-webauthn, as a second factor only (never a log-in alone). The
relying party is this site's host name and the accepted origin is the request's own: Django has
already checked the host against ALLOWED_HOSTS, so a phishing site's origin never matches."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django_otp_webauthn import exceptions
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from twofactor import services

log = logging.getLogger("licensing.security")


def relying_party_id(request: HttpRequest) -> str:
    return settings.OTP_WEBAUTHN_RP_ID or request.get_host().rsplit(":", 1)[0].strip("[]")


class Helper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        own = f"{self.request.scheme}://{self.request.get_host()}"
        return [*super().get_allowed_origins(), own]


class ParsesAnyBody:
    """The library parses JSON bodies but lets a body that is not UTF-8 raise a server error
    (found by tests/security/test_fuzz_second_factor.py): such a body is a malformed request."""

    def _parse_request_data(self, request: HttpRequest) -> Any:
        try:
            return super()._parse_request_data(request)  # type: ignore[misc]
        except (UnicodeDecodeError, ValueError) as error:
            raise exceptions.MalformedRequest() from error


class BeginRegistration(ParsesAnyBody, BeginCredentialRegistrationView):
    def check_can_register(self) -> None:
        # Stricter than the library: a passkey is added only from a verified session, never as
        # a way around the second step (ASVS V6.4.x).
        if not self.request.user.is_verified():
            raise exceptions.NotVerified()


class CompleteRegistration(ParsesAnyBody, CompleteCredentialRegistrationView):
    def check_can_register(self) -> None:
        if not self.request.user.is_verified():
            raise exceptions.NotVerified()

    def post(self, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            response = super().post(*args, **kwargs)
            device_id = json.loads(response.content)["id"]
            services.record_passkey_enrolled(user=self.request.user, device_id=device_id)
        return response


class BeginAuthentication(ParsesAnyBody, BeginCredentialAuthenticationView):
    pass


class CompleteAuthentication(ParsesAnyBody, CompleteCredentialAuthenticationView):
    def complete_auth(self, device: Any) -> Any:
        super().complete_auth(device)
        self.request.session.cycle_key()  # ASVS V7.2.4: a new session id once verified
        log.info("second factor: verified user=%s device=passkey", device.user_id)

    def get_success_url(self) -> str:
        default = "admin:index" if services.is_staff_account(self.request.user) else "portal:home"
        return self.get_redirect_url() or reverse(default)

    def handle_exception(self, exc: Exception) -> Any:
        user = getattr(self.request, "user", None)
        log.warning("second factor: passkey refused user=%s", getattr(user, "pk", None))
        return super().handle_exception(exc)
