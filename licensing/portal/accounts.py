"""Account pages of the portal: sign-up and its confirmation link, log-in and log-out, password
reset, change of e-mail address, language, and invitations to act for a party. Views are thin:
they show forms and call ``licensing.services.accounts``."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from licensing.exceptions import DomainError
from licensing.portal.account_forms import (
    EmailChangeForm,
    InvitationForm,
    LanguageForm,
    LoginForm,
    PartyLanguageForm,
    PortalPasswordResetForm,
    SignUpForm,
)
from licensing.ratelimit import LimitedPostMixin
from licensing.selectors import acting_parties
from licensing.services import accounts
from licensing.sessions import remember

TEMPLATES = "portal/accounts/"
# The language a visitor picked with the switcher before signing in, kept in the session (which
# log-in keeps). The language cookie alone is no choice: log-in sets it too, and it outlives
# log-out, so on a shared browser it may be another user's, or this user's before they changed
# language on another device.
CHOSEN_LANGUAGE = "portal_chosen_language"


def persist_language(response: HttpResponse, language: str) -> HttpResponse:
    """The language cookie that LocaleMiddleware reads on every later request."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(Any, settings.LANGUAGE_COOKIE_SAMESITE),
    )
    return response


def link_invalid(request: HttpRequest, error: DomainError, status: int = 400) -> HttpResponse:
    return render(request, TEMPLATES + "link_invalid.html", {"error": error}, status=status)


class ApplicantMixin(LoginRequiredMixin):
    """Signed-in portal users. Staff work in the admin: the portal sends them there."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and request.user.is_staff:
            return redirect("admin:index")
        return super().dispatch(request, *args, **kwargs)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = TEMPLATES + "login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        auth_login(self.request, user)
        if user.is_staff:
            return redirect("admin:index")
        remember(self.request, remember_me=form.cleaned_data.get("remember", False))
        # Every later page, and the user's e-mails, in the language the user chose: the one
        # picked with the switcher just before signing in, else the one saved in the profile.
        language = accounts.language_of(user)
        chosen = self.request.session.pop(CHOSEN_LANGUAGE, None)
        cookie = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie and cookie == chosen and cookie != language:
            language = accounts.set_language(user=user, language=cookie).language
        translation.activate(language)
        return persist_language(HttpResponseRedirect(self.get_success_url()), language)


class LogoutView(auth_views.LogoutView):
    next_page = "portal:home"


class SignUpView(LimitedPostMixin, FormView):
    form_class = SignUpForm
    post_limits = (("signup_address", ""), ("signup_recipient", "email"))
    template_name = TEMPLATES + "signup.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            return redirect("portal:home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        data = form.cleaned_data
        try:
            accounts.sign_up(
                email=data["email"], password=data["password1"], language=data["language"]
            )
        except accounts.EmailTaken as error:
            form.add_error("email", str(error))
            return self.form_invalid(form)
        except ValidationError as error:
            form.add_error("password1", error)
            return self.form_invalid(form)
        self.request.session["signed_up_email"] = data["email"]
        response = redirect("portal:signup_done")
        return persist_language(response, data["language"])


class SignUpDoneView(TemplateView):
    template_name = TEMPLATES + "signup_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "email": self.request.session.get("signed_up_email", ""),
            "hours": settings.EMAIL_VERIFICATION_MAX_AGE // 3600,
        }


class TokenConfirmView(View):
    """A link from an e-mail: GET shows a button, POST acts. Mail scanners that fetch every
    link in a message therefore confirm nothing."""

    template_name = ""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return render(request, self.template_name, {"token": token})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            return self.act(request, token)
        except DomainError as error:
            return link_invalid(request, error)

    def act(self, request: HttpRequest, token: str) -> HttpResponse:
        raise NotImplementedError


class VerifyEmailView(TokenConfirmView):
    template_name = TEMPLATES + "verify_email.html"

    def act(self, request: HttpRequest, token: str) -> HttpResponse:
        accounts.verify_email(token=token)
        messages.success(request, _("Your e-mail address is confirmed. You can now sign in."))
        return redirect("portal:login")


class ConfirmEmailChangeView(TokenConfirmView):
    template_name = TEMPLATES + "confirm_email_change.html"

    def act(self, request: HttpRequest, token: str) -> HttpResponse:
        user = accounts.confirm_email_change(token=token)
        messages.success(
            request,
            _("Your e-mail address is now %(email)s. Use it to sign in.") % {"email": user.email},
        )
        return redirect("portal:home" if request.user.is_authenticated else "portal:login")


class ChangeEmailView(ApplicantMixin, LimitedPostMixin, FormView):
    form_class = EmailChangeForm
    post_limits = (("email_change_address", ""), ("email_change_recipient", "new_email"))
    template_name = TEMPLATES + "change_email.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "pending_email": accounts.profile_of(self.request.user).pending_email,
        }

    def form_valid(self, form: Any) -> HttpResponse:
        data, user = form.cleaned_data, cast(Any, self.request.user)
        old_email = user.email
        try:
            accounts.request_email_change(
                user=user, new_email=data["new_email"], password=data["password"]
            )
        except accounts.WrongPassword as error:
            form.add_error("password", str(error))
            return self.form_invalid(form)
        except (accounts.EmailTaken, accounts.SameEmail) as error:
            form.add_error("new_email", str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "We have sent a link to %(new)s. Your e-mail address stays %(old)s until you "
                "follow it."
            )
            % {"new": data["new_email"], "old": old_email},
        )
        return redirect("portal:home")


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The language switcher: the cookie for this browser, and the profile of a signed-in user
    so that e-mails follow."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("portal:home")
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        code = form.cleaned_data["language"]
        if request.user.is_authenticated and not request.user.is_staff:
            accounts.set_language(user=request.user, language=code)
        elif not request.user.is_authenticated:
            request.session[CHOSEN_LANGUAGE] = code  # saved to the profile at log-in
        translation.activate(code)
        persist_language(response, code)
    return response


class InviteView(ApplicantMixin, LimitedPostMixin, FormView):
    form_class = InvitationForm
    post_limits = (("invitation_address", ""), ("invitation_recipient", "email"))
    template_name = TEMPLATES + "invite.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self) -> dict[str, Any]:
        return {"party": self.request.GET.get("party")}

    def form_valid(self, form: Any) -> HttpResponse:
        party, email = form.cleaned_data["party"], form.cleaned_data["email"]
        try:
            accounts.invite_to_party(party=party, email=email, by=self.request.user)
        except DomainError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("We have sent an invitation to act for %(party)s to %(email)s.")
            % {"party": party, "email": email},
        )
        return redirect("portal:home")


class AcceptInvitationView(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = accounts.open_invitation(token)
        if invitation is None:
            return link_invalid(request, accounts.LinkInvalid())
        if request.user.is_authenticated and request.user.is_staff:
            return redirect("admin:index")
        return render(
            request,
            TEMPLATES + "accept_invitation.html",
            {"invitation": invitation, "token": token, "party": invitation.party},
        )

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('portal:login')}?{urlencode({'next': request.path})}")
        if request.user.is_staff:
            return redirect("admin:index")
        try:
            invitation = accounts.accept_invitation(token=token, user=request.user)
        except (accounts.InvitationForSomeoneElse, accounts.EmailNotVerified) as error:
            return link_invalid(request, error, status=403)
        except DomainError as error:
            return link_invalid(request, error)
        messages.success(request, _("You can now act for %(party)s.") % {"party": invitation.party})
        return redirect("portal:home")


class PasswordResetView(LimitedPostMixin, auth_views.PasswordResetView):
    """At most a few reset e-mails to one address an hour, whoever asks, and a few requests
    from one address: counted before the form is read, so a refused request sends nothing."""

    form_class = PortalPasswordResetForm
    post_limits = (("password_reset_address", ""), ("password_reset_recipient", "email"))
    template_name = TEMPLATES + "password_reset.html"
    success_url = reverse_lazy("portal:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = TEMPLATES + "password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = TEMPLATES + "password_reset_confirm.html"
    success_url = reverse_lazy("portal:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        """Django's own step, with the new password saved through the service, which tells
        the account's address (ASVS V6.3.7). No log-in follows (post_reset_login is off)."""
        accounts.set_password_from_reset(form=form)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = TEMPLATES + "password_reset_complete.html"


class CorrespondenceLanguageView(ApplicantMixin, TemplateView):
    """The language in which the authority writes to each party the user acts for (e-mails,
    decision letters, certificates); officers change it in the admin."""

    template_name = TEMPLATES + "correspondence.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        parties = acting_parties(self.request.user).order_by("legal_name", "pk")
        forms_by_party = [
            (
                party,
                PartyLanguageForm(
                    initial={"party": party.public_id, "language": party.preferred_language},
                    prefix=f"p{party.pk}",
                ),
            )
            for party in parties
        ]
        return {**super().get_context_data(**kwargs), "rows": forms_by_party}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PartyLanguageForm(request.POST)
        if not form.is_valid():
            return redirect("portal:correspondence")
        data = form.cleaned_data
        party = acting_parties(request.user).filter(public_id=data["party"]).first()
        if party is None:
            raise Http404()
        accounts.set_party_language(party_id=party.pk, language=data["language"], by=request.user)
        language = dict(settings.LANGUAGES)[data["language"]]
        messages.success(
            request,
            _("The authority now writes to %(party)s in %(language)s.")
            % {"party": party, "language": language},
        )
        return redirect("portal:correspondence")
