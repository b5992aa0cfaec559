"""The user's own second-factor pages: the second step, enrolment, recovery codes and the list
of authenticators. Staff see them in the admin's layout, portal users in the portal's. Thin:
the services in twofactor.services change state."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from licensing.exceptions import DomainError
from twofactor import services
from twofactor.forms import AppCodeForm, CodeForm, RemoveForm
from twofactor.middleware import must_verify, safe_next
from twofactor.models import RecoveryCodeDevice

TEMPLATES = "twofactor/"


def default_page(user: Any) -> str:
    return reverse("admin:index" if services.is_staff_account(user) else "portal:home")


def page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> Any:
    staff = services.is_staff_account(request.user)
    return render(
        request,
        TEMPLATES + template,
        {
            "base_template": "admin/base_site.html" if staff else "portal/base.html",
            "staff": staff,
            "site_header": admin.site.site_header,
            "site_title": admin.site.site_title,
            **context,
        },
        status=status,
    )


def to_log_in(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(
        f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
    )


def mark_verified(request: HttpRequest, device: Any) -> None:
    """What a passed second step leaves: the device in the session (django-otp) and a new
    session id, so that an id seen before the step is worth nothing after it (ASVS V7.2.4)."""
    otp_login(request, device)
    request.session.cycle_key()


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """The second step, after the password: a code from the app, a recovery code or a passkey."""
    user: Any = request.user
    if not user.is_authenticated:
        return to_log_in(request)
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if user.is_verified():
        return redirect(next_url or default_page(user))
    if not services.has_primary_device(user):
        if not services.is_staff_account(user):
            return redirect(next_url or default_page(user))
        target = reverse("twofactor:enrol")
        return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
    form = CodeForm(request.POST or None, initial={"next": next_url})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_code(user=user, code=form.cleaned_data["code"])
        except services.TooManyTries as error:
            form.add_error("code", str(error))
            status = 429
        except DomainError as error:
            form.add_error("code", str(error))
        else:
            mark_verified(request, device)
            if services.kind_of(device) == "recovery_codes":
                messages.warning(
                    request,
                    _("You used a recovery code; %(left)s are left.")
                    % {"left": services.recovery_codes_left(user)},
                )
            return redirect(next_url or default_page(user))
    has_passkey = WebAuthnCredential.objects.devices_for_user(user, confirmed=True).exists()
    response = page(
        request,
        "verify.html",
        {"form": form, "has_passkey": has_passkey, "next": next_url, "title": _("Second step")},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = "30"
    return response


@never_cache
def enrol(request: HttpRequest) -> HttpResponse:
    """A new authenticator app: the QR code (and the secret for manual entry), confirmed by a
    code; then ten recovery codes, shown once."""
    user: Any = request.user
    if not user.is_authenticated:
        return to_log_in(request)
    if services.has_primary_device(user) and not user.is_verified():
        return redirect("twofactor:verify")
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = AppCodeForm(request.POST or None, initial={"next": next_url})
    if request.method == "POST" and form.is_valid():
        try:
            device = services.confirm_totp(user=user, code=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", str(error))
        else:
            if not user.is_verified():
                mark_verified(request, device)
            if services.recovery_codes_left(user):  # a second app: the codes kept stay valid
                messages.success(request, _("The authenticator app is added."))
                return redirect(next_url or "twofactor:devices")
            codes = services.issue_recovery_codes(user=user)
            return show_codes(request, codes, next_url)
    device = services.pending_totp(user=user) or services.start_totp_enrolment(user=user)
    secret = base64_secret(device)
    return page(
        request,
        "enrol.html",
        {
            "form": form,
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(
                scale=4, title=_("QR code for your authenticator app")
            ),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "secret_plain": secret,
            "title": _("Set up an authenticator app"),
        },
    )


def base64_secret(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode()


def show_codes(request: HttpRequest, codes: list[str], next_url: str = "") -> HttpResponse:
    return page(
        request,
        "recovery_codes.html",
        {
            "codes": codes,
            "continue_url": next_url or reverse("twofactor:devices"),
            "title": _("Your recovery codes"),
        },
    )


def guard(request: HttpRequest) -> HttpResponse | None:
    """The list and its changes: signed in and, where a factor exists, verified."""
    if not request.user.is_authenticated:
        return to_log_in(request)
    if must_verify(request):
        return redirect(f"{reverse('twofactor:verify')}?{urlencode({'next': request.path})}")
    return None


@never_cache
def devices(request: HttpRequest) -> HttpResponse:
    refused = guard(request)
    if refused:
        return refused
    user: Any = request.user
    return page(
        request,
        "devices.html",
        {
            "apps": TOTPDevice.objects.devices_for_user(user, confirmed=True),
            "passkeys": WebAuthnCredential.objects.devices_for_user(user, confirmed=True),
            "codes_left": services.recovery_codes_left(user),
            "has_codes": RecoveryCodeDevice.objects.filter(user=user, confirmed=True).exists(),
            "enrolled": services.has_primary_device(user),
            "regenerate_form": AppCodeForm(),
            "title": _("Two-step sign-in"),
        },
    )


@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    refused = guard(request)
    if refused:
        return refused
    form = RemoveForm(request.POST)
    device = (
        services.device_by_persistent_id(
            user=request.user, persistent_id=form.cleaned_data["device"]
        )
        if form.is_valid()
        else None
    )
    if device is None:
        messages.error(request, _("No such authenticator."))
        return redirect("twofactor:devices")
    try:
        services.remove_device(user=request.user, device=device)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The authenticator is removed."))
    return redirect("twofactor:devices")


@require_POST
def regenerate(request: HttpRequest) -> HttpResponse:
    refused = guard(request)
    if refused:
        return refused
    form = AppCodeForm(request.POST)
    if form.is_valid():
        try:
            codes = services.regenerate_recovery_codes(
                user=request.user, code=form.cleaned_data["code"]
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            return show_codes(request, codes)
    else:
        messages.error(request, _("Enter a code from your authenticator app."))
    return redirect("twofactor:devices")
