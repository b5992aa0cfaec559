"""Forms of the portal's account pages. They check what a form can check (required fields,
matching passwords, Django's password validators); the services decide the rest."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from licensing.models.accounts import PortalProfile
from licensing.models.parties import Party
from licensing.selectors import visible_parties
from licensing.services import accounts
from licensing.services.notifications import queue_notification

EMAIL_MAX_LENGTH = 150  # the address is the log-in name: User.username holds 150 characters


def email_field(label: Any, autocomplete: str = "email") -> forms.EmailField:
    return forms.EmailField(
        label=label,
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": autocomplete, "spellcheck": "false"}),
    )


def password_field(label: Any, autocomplete: str, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def language_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def login_name(typed: str) -> str:
    """The username to authenticate: portal accounts are named by their lower-cased address;
    accounts the authority made (demo applicants, staff) may be found by their address too."""
    typed = typed.strip()
    users = get_user_model().objects
    for candidate in (typed, typed.lower()):
        if users.filter(username=candidate).exists():
            return candidate
    by_email = list(users.filter(email__iexact=typed).values_list("username", flat=True)[:2])
    return by_email[0] if len(by_email) == 1 else typed.lower()


class SignUpForm(forms.Form):
    email = email_field(_("E-mail address"))
    password1 = password_field(
        _("Password"),
        "new-password",
        help_text=_("At least 8 characters. Not a common password, nor only digits."),
    )
    password2 = password_field(_("Password again"), "new-password")
    language = forms.ChoiceField(
        label=_("Language of the service and its e-mails"), choices=language_choices
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = get_language()

    def clean_email(self) -> str:
        email = accounts.normalise_email(self.cleaned_data["email"])
        if accounts.email_taken(email):
            raise forms.ValidationError(
                _(
                    "An account with this e-mail address already exists. Sign in, or reset "
                    "your password if you have forgotten it."
                ),
                code="taken",
            )
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            email = cleaned.get("email", "")
            user = get_user_model()(username=email, email=email)
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    """Log-in by e-mail address. django-axes counts the failures (``authenticate`` is given
    the request); an account whose address is not yet confirmed is told so, and sent a new
    link, but only when its password was right."""

    username = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "inputmode": "email",
                "spellcheck": "false",
                "autocapitalize": "none",
                "autofocus": True,
            }
        ),
    )
    password = password_field(_("Password"), "current-password")
    # The session ends with the browser unless ticked (licensing/sessions.py; ASVS V7.3.2).
    remember = forms.BooleanField(label=_("Remember me on this device"), required=False)

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Enter a correct e-mail address and password. The password is case-sensitive."
        ),
        "unverified": _(
            "You have not confirmed your e-mail address yet. We have sent you a new link: "
            "follow it, then sign in."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = settings.PORTAL_REMEMBER_ME_DAYS
        self.fields["remember"].help_text = ngettext(
            "Stay signed in for %(days)d day. Leave it unticked on a shared computer.",
            "Stay signed in for %(days)d days. Leave it unticked on a shared computer.",
            days,
        ) % {"days": days}

    def clean(self) -> dict[str, Any]:
        typed = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        if typed and password:
            username = login_name(typed)
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                if not getattr(self.request, "axes_locked_out", False):
                    self._offer_new_link(username, password)
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def _offer_new_link(self, username: str, password: str) -> None:
        user = get_user_model().objects.filter(username=username, is_active=False).first()
        if user is None or not user.check_password(password):
            return
        profile = PortalProfile.objects.filter(user=user).first()
        if profile is None or profile.email_verified:
            return  # deactivated by the authority, not waiting for confirmation
        accounts.resend_verification(user=user)
        raise forms.ValidationError(self.error_messages["unverified"], code="unverified")


class EmailChangeForm(forms.Form):
    new_email = email_field(_("New e-mail address"))
    password = password_field(
        _("Your password"), "current-password", help_text=_("To confirm that it is you.")
    )


class InvitationForm(forms.Form):
    party = forms.ModelChoiceField(
        label=_("Party"),
        queryset=Party.objects.none(),
        to_field_name="public_id",
        empty_label=None,
    )
    email = email_field(_("E-mail address of the person you invite"), autocomplete="off")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["party"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        field.queryset = visible_parties(user).order_by("legal_name", "pk")

    def clean_email(self) -> str:
        return accounts.normalise_email(self.cleaned_data["email"])


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=language_choices)
    next = forms.CharField(required=False)


class PartyLanguageForm(forms.Form):
    """The language of the authority's e-mails, letters and certificates to one party."""

    party = forms.UUIDField(widget=forms.HiddenInput)
    language = forms.ChoiceField(
        label=_("Language of letters and e-mails"), choices=language_choices
    )


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form, with its e-mail sent like every other one: a notification row in
    the user's language, sent after the commit. Staff accounts are not reset from the portal."""

    email = email_field(_("E-mail address"))

    def get_users(self, email: str) -> Any:
        return (
            user for user in super().get_users(email) if not user.is_staff and not user.is_superuser
        )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        path = reverse(
            "portal:password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        queue_notification(
            key=f"password_reset:{user.pk}:{uuid.uuid4().hex}",
            template="password_reset",
            recipient=to_email,
            language=accounts.language_of(user),
            context={
                "link": settings.PORTAL_BASE_URL.rstrip("/") + path,
                "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            },
            secret=("link",),
        )
