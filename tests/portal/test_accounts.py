"""Portal accounts: sign-up and its confirmation link, log-in with brute-force protection,
password reset, change of e-mail, invitations to act for a party, the saved language."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from licensing.models import AuditEvent, Invitation, Notification, PortalProfile
from licensing.services import accounts
from tests.factories import PartyFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Tobakk-Lisens-2026!"
User = get_user_model()


def link_in(message: Any) -> str:
    """The path of the one portal link in an e-mail, for the test client."""
    (url,) = re.findall(r"https?://\S+/portal/\S+", message.body)
    assert url.startswith(settings.PORTAL_BASE_URL)
    return urlparse(url).path


def sign_up_data(**overrides: str) -> dict[str, str]:
    return {
        "email": "Kari.Nordmann@Example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "language": "nb",
        **overrides,
    }


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what a view queues for after the commit (the e-mail task runs eagerly)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def signed_up(client, commit, mailoutbox):
    """A new account whose confirmation e-mail is in the outbox."""
    with commit():
        response = client.post(reverse("portal:signup"), sign_up_data())
    assert response.status_code == 302
    return User.objects.get(username="kari.nordmann@example.com")


def verified_user(email: str = "kari@example.com", language: str = "en") -> Any:
    user = UserFactory(username=email, email=email, is_staff=False, role="applicant")
    PortalProfile.objects.create(user=user, language=language, email_verified_at=timezone.now())
    return User.objects.get(pk=user.pk)


FACTORY_PASSWORD = "correct horse battery staple"  # UserFactory's


def log_in(client: Client, email: str, password: str = FACTORY_PASSWORD, **extra):
    return client.post(reverse("portal:login"), {"username": email, "password": password}, **extra)


# --- Sign-up -----------------------------------------------------------------------------------


def test_sign_up_makes_an_inactive_applicant_and_mails_a_confirmation_link(signed_up, mailoutbox):
    user = signed_up
    assert (user.email, user.is_active, user.is_staff) == ("kari.nordmann@example.com", 0, 0)
    assert list(user.groups.values_list("name", flat=True)) == ["applicant"]
    assert user.portal_profile.language == "nb"
    assert user.portal_profile.email_verified_at is None
    (mail,) = mailoutbox
    assert mail.to == ["kari.nordmann@example.com"]
    assert link_in(mail).startswith("/portal/verify/")
    notification = Notification.objects.get(template="verify_email")
    assert notification.language == "nb"  # the language chosen at sign-up
    assert notification.context["link"] == ""  # the token is not kept once sent
    assert AuditEvent.objects.filter(verb="created", object_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": ""}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"password1": "", "password2": ""}, "password1"),
        ({"password1": "Sh0rt!", "password2": "Sh0rt!"}, "password1"),
        ({"password1": "password123", "password2": "password123"}, "password1"),
        ({"password1": "4829175036", "password2": "4829175036"}, "password1"),
        ({"password2": "Another-Password-2026"}, "password2"),
        ({"language": "de"}, "language"),
    ],
)
def test_sign_up_shows_each_error_next_to_its_field_and_in_the_summary(
    client, overrides, field, mailoutbox
):
    response = client.post(reverse("portal:signup"), sign_up_data(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert f'href="#id_{field}"' in html  # the summary links to the field
    assert f'id="id_{field}_error"' in html  # the message beside the field
    assert 'aria-invalid="true"' in html
    assert not User.objects.exists()
    assert not Notification.objects.exists()


def test_an_address_signs_up_once_whatever_its_case(client, signed_up):
    response = client.post(
        reverse("portal:signup"), sign_up_data(email="KARI.NORDMANN@example.COM")
    )
    assert response.status_code == 200
    assert 'id="id_email_error"' in response.content.decode()
    assert User.objects.count() == 1


def test_the_service_refuses_a_taken_address_too(signed_up):
    with pytest.raises(accounts.EmailTaken):
        accounts.sign_up(email=" Kari.Nordmann@example.com ", password=PASSWORD, language="en")


# --- Confirmation link -------------------------------------------------------------------------


def test_no_log_in_before_the_address_is_confirmed(client, signed_up, commit, mailoutbox):
    with commit():
        response = log_in(client, "kari.nordmann@example.com", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].has_error("__all__", "unverified")
    assert len(mailoutbox) == 2  # a new link, since the password was right


def test_a_wrong_password_on_an_unconfirmed_account_sends_no_link(client, signed_up, mailoutbox):
    response = log_in(client, "kari.nordmann@example.com", "wrong")
    assert not response.context["form"].has_error("__all__", "unverified")
    assert len(mailoutbox) == 1


def test_the_confirmation_link_works_once(client, signed_up, mailoutbox):
    path = link_in(mailoutbox[0])
    page = client.get(path)
    assert page.status_code == 200
    signed_up.refresh_from_db()
    assert not signed_up.is_active  # opening the link (a mail scanner) confirms nothing

    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:login")
    signed_up.refresh_from_db()
    assert signed_up.is_active
    assert signed_up.portal_profile.email_verified_at is not None

    again = client.post(path)
    assert again.status_code == 400
    assert isinstance(again.context["error"], accounts.LinkInvalid)

    response = log_in(client, "Kari.Nordmann@example.com", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(signed_up.pk)


def test_the_confirmation_link_expires(client, signed_up, mailoutbox, time_machine):
    path = link_in(mailoutbox[0])
    time_machine.move_to(
        timezone.now() + dt.timedelta(seconds=settings.EMAIL_VERIFICATION_MAX_AGE + 60)
    )
    assert client.post(path).status_code == 400
    signed_up.refresh_from_db()
    assert not signed_up.is_active


def test_a_tampered_link_is_refused(client, signed_up, mailoutbox):
    path = link_in(mailoutbox[0])
    assert client.post(path[:-3] + "xyz/").status_code == 400


# --- Log-in and log-out -----------------------------------------------------------------------


def test_log_in_and_log_out(client):
    user = verified_user()
    response = log_in(client, "KARI@example.com ")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("portal:home")).context["user"] == user

    response = client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_log_in_follows_next_within_the_site_only(client):
    verified_user()
    response = client.post(
        reverse("portal:login") + "?next=/portal/account/email/",
        {"username": "kari@example.com", "password": "correct horse battery staple"},
    )
    assert response["Location"] == "/portal/account/email/"
    client.post(reverse("portal:logout"))
    response = client.post(
        reverse("portal:login") + "?next=https://evil.example/",
        {"username": "kari@example.com", "password": "correct horse battery staple"},
    )
    assert response["Location"] == reverse("portal:home")


def test_a_wrong_password_is_refused_with_a_message(client):
    verified_user()
    response = log_in(client, "kari@example.com", "wrong password")
    assert response.status_code == 200
    assert "Enter a correct e-mail address and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_are_sent_to_the_admin(client, officer):
    response = log_in(client, officer.username)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    # Staff have not passed the second step yet (twofactor): every page leads there first.
    assert client.get(reverse("portal:home"))["Location"].startswith(reverse("twofactor:verify"))


def test_the_admin_keeps_its_own_log_in_page(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.get(reverse("portal:change_email"))["Location"].startswith(
        reverse("portal:login")
    )


def test_an_account_made_by_the_authority_signs_in_with_its_address(client):
    user = UserFactory(username="applicant", is_staff=False, role="applicant")
    response = log_in(client, "Applicant@authority.example")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


# --- Brute-force protection (django-axes) -----------------------------------------------------

A = {"REMOTE_ADDR": "192.0.2.10"}
B = {"REMOTE_ADDR": "198.51.100.20"}


def test_too_many_failures_lock_that_name_at_that_address_only(client):
    verified_user()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "kari@example.com", "guess", **A).status_code == 200
    locked = log_in(client, "kari@example.com", "guess", **A)
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()

    # Even the right password is refused from there, while the lock lasts.
    assert log_in(client, "KARI@example.com", **A).status_code == 429
    assert "_auth_user_id" not in client.session
    # Another name from the same address is not locked: one attacker cannot lock out others.
    verified_user("ola@example.com")
    assert log_in(Client(), "ola@example.com", **A).status_code == 302
    # The same name from another address still signs in.
    other = Client()
    assert log_in(other, "kari@example.com", **B).status_code == 302
    assert "_auth_user_id" in other.session


def test_the_lock_ends_after_the_cool_off(client, time_machine):
    verified_user()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "kari@example.com", "guess", **A)
    assert log_in(client, "kari@example.com", **A).status_code == 429
    time_machine.move_to(timezone.now() + settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1))
    assert log_in(client, "kari@example.com", **A).status_code == 302


def test_the_admin_log_in_is_protected_too(client, officer):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"), {"username": officer.username, "password": "guess"}, **A
        )
    response = client.post(
        reverse("admin:login"),
        {"username": officer.username, "password": "correct horse battery staple"},
        **A,
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# --- Password reset ---------------------------------------------------------------------------


def test_password_reset_end_to_end(client, commit, mailoutbox):
    user = verified_user(language="hu")
    with commit():
        response = client.post(reverse("portal:password_reset"), {"email": "KARI@example.com"})
    assert response["Location"] == reverse("portal:password_reset_done")
    (mail,) = mailoutbox
    assert mail.to == ["kari@example.com"]
    assert Notification.objects.get(template="password_reset").language == "hu"

    form_page = client.get(link_in(mail), follow=True)
    assert form_page.context["validlink"]
    new = "Uj-jelszo-2026-tavasz"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response["Location"] == reverse("portal:password_reset_complete")
    assert log_in(client, "kari@example.com", new).status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)

    client.post(reverse("portal:logout"))
    used = client.get(link_in(mail), follow=True)
    assert not used.context["validlink"]  # the link works once


def test_a_completed_password_reset_is_told_to_the_account_and_audited(client, commit, mailoutbox):
    """ASVS V6.3.7: the account's address learns that the password changed (never the new one)."""
    user = verified_user(language="hu")
    with commit():
        client.post(reverse("portal:password_reset"), {"email": "kari@example.com"})
    form_page = client.get(link_in(mailoutbox[0]), follow=True)
    new = "Uj-jelszo-2026-tavasz"
    with commit():
        client.post(form_page.redirect_chain[-1][0], {"new_password1": "x", "new_password2": "y"})
    assert len(mailoutbox) == 1  # a refused form changes nothing and tells nothing
    with commit():
        response = client.post(
            form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
        )
    assert response["Location"] == reverse("portal:password_reset_complete")
    mail = mailoutbox[1]
    assert mail.to == ["kari@example.com"]
    assert mail.subject == "Fiókja jelszava megváltozott"  # in the account's language
    assert new not in mail.body
    assert Notification.objects.get(template="password_changed").language == "hu"
    event = AuditEvent.objects.get(object_id=str(user.pk), changes__has_key="password")
    assert new not in str(event.changes)


def test_password_reset_tells_nothing_about_unknown_addresses_or_staff(
    client, commit, officer, mailoutbox
):
    with commit():
        unknown = client.post(reverse("portal:password_reset"), {"email": "nobody@example.com"})
        staff = client.post(reverse("portal:password_reset"), {"email": officer.email})
    assert unknown["Location"] == staff["Location"] == reverse("portal:password_reset_done")
    assert mailoutbox == []


# --- Change of e-mail address -----------------------------------------------------------------


def test_a_new_address_takes_effect_only_once_confirmed(client, commit, mailoutbox):
    user = verified_user()
    client.force_login(user)
    with commit():
        response = client.post(
            reverse("portal:change_email"),
            {"new_email": "Kari.New@Example.com", "password": "correct horse battery staple"},
        )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "kari@example.com"  # the old address stays until confirmed
    assert user.portal_profile.pending_email == "kari.new@example.com"
    (mail,) = mailoutbox
    assert mail.to == ["kari.new@example.com"]

    with commit():
        response = client.post(link_in(mail))
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.email, user.username) == ("kari.new@example.com", "kari.new@example.com")
    assert user.portal_profile.pending_email == ""
    assert mailoutbox[1].to == ["kari@example.com"]  # the old address is told
    assert client.post(link_in(mail)).status_code == 400  # once only

    client.post(reverse("portal:logout"))
    assert log_in(client, "kari@example.com").status_code == 200
    assert log_in(client, "kari.new@example.com").status_code == 302


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"new_email": "ola@example.com", "password": "correct horse battery staple"}, "new_email"),
        (
            {"new_email": "kari@example.com", "password": "correct horse battery staple"},
            "new_email",
        ),
        ({"new_email": "kari2@example.com", "password": "wrong"}, "password"),
        ({"new_email": "", "password": "correct horse battery staple"}, "new_email"),
    ],
)
def test_a_change_of_address_is_refused_with_a_reason(client, data, field, mailoutbox):
    verified_user("ola@example.com")
    user = verified_user()
    client.force_login(user)
    response = client.post(reverse("portal:change_email"), data)
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    assert PortalProfile.objects.get(user=user).pending_email == ""


# --- Invitations to act for a party -----------------------------------------------------------


@pytest.fixture
def invited(client, applicant_for, commit, mailoutbox):
    """Kari acts for the party and invites ola@example.com; the e-mail is in the outbox."""
    party = PartyFactory()
    kari = applicant_for(party)
    client.force_login(kari)
    with commit():
        response = client.post(
            reverse("portal:invite"), {"party": str(party.public_id), "email": "Ola@Example.com"}
        )
    assert response.status_code == 302
    client.logout()
    (mail,) = mailoutbox
    return party, link_in(mail)


def test_the_invitation_stores_only_a_hash_of_its_token(invited):
    _party, path = invited
    token = path.rstrip("/").rsplit("/", 1)[-1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == accounts.token_hash(token)
    assert token not in str(Invitation.objects.values().get())
    assert token not in str(Notification.objects.get(template="invitation").context)


def test_the_invited_user_accepts_and_acts_for_the_party(invited, client):
    party, path = invited
    ola = verified_user("ola@example.com")
    client.force_login(ola)
    assert party.legal_name in client.get(path).content.decode()
    response = client.post(path)
    assert response.status_code == 302
    ola = User.objects.get(pk=ola.pk)
    assert ola.has_perm("licensing.act_for_party", party)
    assert AuditEvent.objects.filter(verb="access_granted", object_id=str(party.pk)).exists()
    assert Invitation.objects.get().accepted_by == ola
    assert client.post(path).status_code == 400  # used


def test_another_user_cannot_accept_the_invitation(invited, client):
    party, path = invited
    eve = verified_user("eve@example.com")
    client.force_login(eve)
    assert client.post(path).status_code == 403
    assert not User.objects.get(pk=eve.pk).has_perm("licensing.act_for_party", party)
    assert Invitation.objects.get().accepted_at is None


def test_a_visitor_is_asked_to_sign_in_first(invited, client):
    _party, path = invited
    page = client.get(path)
    assert reverse("portal:login") in page.content.decode()
    response = client.post(path)
    assert response["Location"].startswith(reverse("portal:login"))


def test_an_expired_invitation_is_refused(invited, client, time_machine):
    party, path = invited
    ola = verified_user("ola@example.com")
    client.force_login(ola)
    time_machine.move_to(timezone.now() + dt.timedelta(days=settings.INVITATION_DAYS, hours=1))
    assert client.get(path).status_code == 400
    assert client.post(path).status_code == 400
    assert not User.objects.get(pk=ola.pk).has_perm("licensing.act_for_party", party)


def test_a_user_can_invite_only_for_its_own_parties(client, applicant_for):
    mine, theirs = PartyFactory(), PartyFactory()
    client.force_login(applicant_for(mine))
    response = client.post(
        reverse("portal:invite"), {"party": str(theirs.public_id), "email": "x@example.com"}
    )
    assert response.status_code == 200
    assert 'id="id_party_error"' in response.content.decode()
    assert not Invitation.objects.exists()
    with pytest.raises(accounts.PermissionDenied):
        accounts.invite_to_party(party=theirs, email="x@example.com", by=UserFactory(is_staff=0))


def test_an_unconfirmed_address_cannot_accept(invited):
    user = UserFactory(username="ola@example.com", email="ola@example.com", is_staff=False)
    PortalProfile.objects.create(user=user)
    token_path = invited[1]
    token = token_path.rstrip("/").rsplit("/", 1)[-1]
    with pytest.raises(accounts.EmailNotVerified):
        accounts.accept_invitation(token=token, user=user)


# --- Language ---------------------------------------------------------------------------------


def test_the_language_is_saved_and_used_for_pages_and_e_mails(client, commit):
    user = verified_user(language="en")
    client.force_login(user)
    response = client.post(reverse("portal:language"), {"language": "hu", "next": "/portal/"})
    assert response["Location"] == "/portal/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "hu"
    assert PortalProfile.objects.get(user=user).language == "hu"
    assert '<html lang="hu">' in client.get(reverse("portal:home")).content.decode()

    with commit():
        client.post(
            reverse("portal:change_email"),
            {"new_email": "kari.ny@example.com", "password": "correct horse battery staple"},
        )
    assert Notification.objects.get(template="email_change").language == "hu"


def test_log_in_switches_to_the_saved_language(client):
    verified_user(language="nb")
    response = log_in(client, "kari@example.com")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"
    assert '<html lang="nb">' in client.get(reverse("portal:home")).content.decode()


def test_a_language_chosen_just_before_log_in_wins_and_is_saved(client):
    user = verified_user(language="nb")
    client.get(reverse("portal:login"))
    client.post(reverse("portal:language"), {"language": "hu", "next": reverse("portal:login")})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "hu"

    response = log_in(client, "kari@example.com")
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "hu"
    assert PortalProfile.objects.get(user=user).language == "hu"  # e-mails follow
    assert AuditEvent.objects.filter(verb="edited", changes={"language": ["nb", "hu"]}).exists()
    assert '<html lang="hu">' in client.get(reverse("portal:home")).content.decode()


def test_without_a_choice_log_in_uses_the_saved_language_not_an_old_cookie(client):
    """A cookie left by an earlier sign-in on this browser (another user's, or this user's
    before a change made elsewhere) is not a choice: the profile's language wins."""
    user = verified_user(language="nb")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "hu"
    assert '<html lang="hu">' in client.get(reverse("portal:login")).content.decode()

    response = log_in(client, "kari@example.com")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"
    assert PortalProfile.objects.get(user=user).language == "nb"
    assert '<html lang="nb">' in client.get(reverse("portal:home")).content.decode()


def test_a_choice_is_saved_at_one_log_in_only(client):
    """Log-out ends the session, and the choice with it: the next user to sign in on this
    browser keeps the language saved in their own profile."""
    verified_user(language="nb")
    other = verified_user(email="ola@example.com", language="en")
    client.post(reverse("portal:language"), {"language": "hu", "next": "/portal/"})
    log_in(client, "kari@example.com")
    client.post(reverse("portal:logout"))

    response = log_in(client, "ola@example.com")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert PortalProfile.objects.get(user=other).language == "en"


def test_a_visitor_s_language_choice_is_a_cookie_and_next_stays_on_the_site(client):
    response = client.post(
        reverse("portal:language"), {"language": "nb", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("portal:home")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"
    assert not PortalProfile.objects.exists()


def test_the_invitation_is_written_in_the_inviter_s_language(client, applicant_for, commit):
    party = PartyFactory()
    kari = applicant_for(party)
    PortalProfile.objects.create(user=kari, language="hu", email_verified_at=timezone.now())
    with commit():
        accounts.invite_to_party(party=party, email="ola@example.com", by=kari)
    assert Notification.objects.get(template="invitation").language == "hu"


# --- E-mail templates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template", ["verify_email", "email_change", "email_changed", "password_reset", "invitation"]
)
def test_each_account_e_mail_renders_a_subject_and_its_link(template):
    from licensing.services.notifications import render_notification

    context = {
        "authority": "Tobacco Licensing Authority",
        "portal_url": "https://portal.example",
        "link": "https://portal.example/portal/x/TOKEN/",
        "hours": 24,
        "party_name": "Nordlys Tobakk AS",
        "inviter": "kari@example.com",
        "expires_on": "2026-12-02",
    }
    subject, body = render_notification(
        Notification(template=template, language="en", context=context)
    )
    assert subject and "\n" not in subject
    assert "Tobacco Licensing Authority" in body
    assert "{{" not in body and "{%" not in body
    if template != "email_changed":
        assert context["link"] in body


# --- CSRF -------------------------------------------------------------------------------------


def test_every_account_form_carries_a_csrf_token_and_needs_it(client, applicant_for):
    strict = Client(enforce_csrf_checks=True)
    pages = [
        reverse("portal:login"),
        reverse("portal:signup"),
        reverse("portal:password_reset"),
        reverse("portal:verify_email", kwargs={"token": "x"}),
    ]
    for page in pages:
        html = strict.get(page).content.decode()
        assert html.count("<form") == html.count('name="csrfmiddlewaretoken"'), page
    assert strict.post(reverse("portal:login"), {"username": "a", "password": "b"}).status_code == (
        403
    )
    party = PartyFactory()
    strict.force_login(applicant_for(party))
    for page in [
        reverse("portal:home"),
        reverse("portal:change_email"),
        reverse("portal:invite"),
    ]:
        html = strict.get(page).content.decode()
        assert "<form" in html
        assert html.count("<form") == html.count('name="csrfmiddlewaretoken"'), page
    assert strict.post(reverse("portal:language"), {"language": "hu"}).status_code == 403


def test_account_pages_label_every_input_and_use_autocomplete(client):
    html = client.get(reverse("portal:signup")).content.decode()
    for name in ("email", "password1", "password2", "language"):
        assert f'for="id_{name}"' in html
    assert 'autocomplete="email"' in html
    assert html.count('autocomplete="new-password"') == 2
    login = client.get(reverse("portal:login")).content.decode()
    assert 'autocomplete="username"' in login
    assert 'autocomplete="current-password"' in login
    assert "<script>" not in login and "style=" not in login  # nothing inline (CSP)


def test_the_staff_member_is_not_shown_portal_account_pages(client, officer):
    client.force_login(officer)
    assert client.get(reverse("portal:change_email"))["Location"] == reverse("admin:index")
    assert client.get(reverse("portal:invite"))["Location"] == reverse("admin:index")
