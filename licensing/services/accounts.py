"""Portal accounts: sign-up with a confirmed e-mail address, a change of address that takes
effect only once the new one is confirmed, the language of pages and e-mails, and invitations
to act for a party. One function per user action; each runs in one transaction, writes the
audit trail when a record changes, and queues its e-mail to be sent after the commit.

Links in e-mails carry either a signed, time-limited value (confirming an address: no table
needed, and single use because the state it names is gone once it is used) or a random token of
which only the SHA-256 is stored (an invitation)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError, PermissionDenied
from licensing.models.accounts import PortalProfile
from licensing.models.audit import Verb
from licensing.models.parties import Party
from licensing.models.portal import Invitation
from licensing.services.access import grant_party_access
from licensing.services.audit import record_event
from licensing.services.notifications import queue_notification
from licensing.services.records import PERSONAL

APPLICANT_GROUP = "applicant"
VERIFY_SALT = "licensing.portal.verify_email"
CHANGE_SALT = "licensing.portal.change_email"


class EmailTaken(DomainError):
    default_message = _("An account with this e-mail address already exists.")


class LinkInvalid(DomainError):
    default_message = _("This link is not valid. It may have expired, or it has been used already.")


class WrongPassword(DomainError):
    default_message = _("Your password is not correct.")


class SameEmail(DomainError):
    default_message = _("This is already your e-mail address.")


class InvitationForSomeoneElse(DomainError):
    default_message = _(
        "This invitation was sent to another e-mail address. Sign in with the address the "
        "invitation was sent to."
    )


class EmailNotVerified(DomainError):
    default_message = _("Confirm your e-mail address first, with the link we sent you.")


def normalise_email(email: str) -> str:
    """E-mail addresses are compared and stored lower-cased: one account per address."""
    return email.strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _link(name: str, token: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, kwargs={"token": token})


def _language(language: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def profile_of(user: Any) -> PortalProfile:
    """The user's profile, made on first use for accounts the authority created (demo and
    staff users): their address was given by the authority, so it counts as confirmed."""
    profile, _created = PortalProfile.objects.get_or_create(
        user=user,
        defaults={
            "language": _language(get_language() or settings.LANGUAGE_CODE),
            "email_verified_at": timezone.now() if user.is_active else None,
        },
    )
    return profile


def language_of(user: Any) -> str:
    """The language a user's pages and e-mails are in; the site's default without a profile."""
    profile = PortalProfile.objects.filter(user=user).only("language").first()
    return profile.language if profile is not None else settings.LANGUAGE_CODE


def email_taken(email: str, *, exclude_user: Any = None) -> bool:
    users = get_user_model().objects.filter(Q(username__iexact=email) | Q(email__iexact=email))
    if exclude_user is not None:
        users = users.exclude(pk=exclude_user.pk)
    pending = PortalProfile.objects.filter(pending_email__iexact=email)
    if exclude_user is not None:
        pending = pending.exclude(user=exclude_user)
    return users.exists() or pending.exists()


def _queue_verification(user: Any, *, key: str) -> None:
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)
    queue_notification(
        key=key,
        template="verify_email",
        recipient=user.email,
        language=language_of(user),
        context={
            "link": _link("portal:verify_email", token),
            "hours": settings.EMAIL_VERIFICATION_MAX_AGE // 3600,
        },
        secret=("link",),
    )


@transaction.atomic
def sign_up(*, email: str, password: str, language: str) -> Any:
    """Anyone. Makes an applicant account that cannot sign in until the link sent to ``email``
    is followed (``verify_email``). Raises ``EmailTaken`` and Django's ``ValidationError`` (a
    password that the validators refuse)."""
    User = get_user_model()
    email = normalise_email(email)
    if email_taken(email):
        raise EmailTaken()
    user = User(username=email, email=email, is_active=False, is_staff=False)
    password_validation.validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same address, signed up at the same moment
        raise EmailTaken() from exc
    user.groups.add(Group.objects.get(name=APPLICANT_GROUP))
    PortalProfile.objects.create(user=user, language=_language(language))
    record_event(user, verb=Verb.CREATED, by=user, changes={"email": PERSONAL})
    _queue_verification(user, key=f"verify_email:{user.pk}:sign_up")
    return user


@transaction.atomic
def resend_verification(*, user: Any) -> None:
    """The log-in form, when an unconfirmed account gives its right password: a new link, at
    most one an hour."""
    hour = int(timezone.now().timestamp() // 3600)
    _queue_verification(user, key=f"verify_email:{user.pk}:{hour}")


@transaction.atomic
def verify_email(*, token: str) -> Any:
    """Whoever holds the link. Confirms the address and opens the account for log-in; a link
    works once (the account is then confirmed) and for ``EMAIL_VERIFICATION_MAX_AGE``."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise LinkInvalid() from exc
    User = get_user_model()
    user = User.objects.select_for_update().filter(pk=data.get("u")).first()
    if user is None:
        raise LinkInvalid()
    profile = PortalProfile.objects.select_for_update().filter(user=user).first()
    if profile is None or profile.email_verified_at is not None or user.email != data.get("e"):
        raise LinkInvalid()
    profile.email_verified_at = timezone.now()
    profile.save(update_fields=["email_verified_at", "updated_at"])
    user.is_active = True
    user.save(update_fields=["is_active"])
    record_event(user, verb=Verb.EDITED, by=user, changes={"email_verified": True})
    return user


@transaction.atomic
def set_password_from_reset(*, form: Any) -> Any:
    """Whoever holds a valid password-reset link: Django's SetPasswordForm saves the new
    password; the trail records it (never the value) and the account's address is told
    (ASVS V6.3.7), after the commit."""
    user = form.save()
    event = record_event(user, verb=Verb.EDITED, by=user, changes={"password": PERSONAL})
    if user.email:
        queue_notification(
            key=f"password_changed:{event.pk}",
            template="password_changed",
            recipient=user.email,
            language=language_of(user),
            context={"party_name": user.get_full_name() or user.get_username()},
            event=event,
        )
    return user


@transaction.atomic
def request_email_change(*, user: Any, new_email: str, password: str) -> PortalProfile:
    """The signed-in user. Sends a link to ``new_email``; the old address stays in use until
    the link is followed (``confirm_email_change``)."""
    if not user.check_password(password):
        raise WrongPassword()
    new_email = normalise_email(new_email)
    if new_email == normalise_email(user.email):
        raise SameEmail()
    if email_taken(new_email, exclude_user=user):
        raise EmailTaken()
    profile = profile_of(user)
    profile = PortalProfile.objects.select_for_update().get(pk=profile.pk)
    profile.pending_email = new_email
    profile.save(update_fields=["pending_email", "updated_at"])
    record_event(user, verb=Verb.EDITED, by=user, changes={"pending_email": PERSONAL})
    token = signing.dumps({"u": user.pk, "e": new_email}, salt=CHANGE_SALT)
    queue_notification(
        key=f"email_change:{user.pk}:{uuid.uuid4().hex}",
        template="email_change",
        recipient=new_email,
        language=profile.language,
        context={
            "link": _link("portal:confirm_email_change", token),
            "hours": settings.EMAIL_CHANGE_MAX_AGE // 3600,
        },
        secret=("link",),
    )
    return profile


@transaction.atomic
def confirm_email_change(*, token: str) -> Any:
    """Whoever holds the link sent to the new address. The new address replaces the old one
    (and is the new log-in name); the old address is told. Works once, for the latest request
    only, and for ``EMAIL_CHANGE_MAX_AGE``."""
    try:
        data = signing.loads(token, salt=CHANGE_SALT, max_age=settings.EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature as exc:
        raise LinkInvalid() from exc
    User = get_user_model()
    user = User.objects.select_for_update().filter(pk=data.get("u")).first()
    profile = PortalProfile.objects.select_for_update().filter(user=user).first() if user else None
    new_email = data.get("e", "")
    if user is None or profile is None or not new_email or profile.pending_email != new_email:
        raise LinkInvalid()
    if email_taken(new_email, exclude_user=user):
        raise EmailTaken()
    old_email = user.email
    user.email = new_email
    fields = ["email"]
    if normalise_email(user.username) == normalise_email(old_email):
        user.username = new_email  # portal accounts sign in with their address
        fields.append("username")
    user.save(update_fields=fields)
    profile.pending_email = ""
    profile.save(update_fields=["pending_email", "updated_at"])
    event = record_event(user, verb=Verb.EDITED, by=user, changes={"email": PERSONAL})
    if old_email:
        queue_notification(
            key=f"email_changed:{event.pk}",
            template="email_changed",
            recipient=old_email,
            language=profile.language,
            context={},
        )
    return user


@transaction.atomic
def set_language(*, user: Any, language: str) -> PortalProfile:
    """The signed-in user. Pages and e-mails are in this language from now on."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValueError(f"unknown language {language!r}")
    profile = profile_of(user)
    if profile.language != language:
        old = profile.language
        profile.language = language
        profile.save(update_fields=["language", "updated_at"])
        record_event(user, verb=Verb.EDITED, by=user, changes={"language": [old, language]})
    return profile


@transaction.atomic
def set_party_language(*, party_id: int, language: str, by: Any) -> Party:
    """A user who acts for the party, or an officer who may change parties. The language of
    every e-mail, letter and certificate to the party (``Party.preferred_language``). Not a
    regulated record of Art. 6.3(b): it changes at once, in the audit trail."""
    party = Party.objects.select_for_update().get(pk=party_id)
    if not (by.has_perm("licensing.change_party") or by.has_perm("licensing.act_for_party", party)):
        raise PermissionDenied()
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValueError(f"unknown language {language!r}")
    if party.preferred_language != language:
        old = party.preferred_language
        party.preferred_language = language
        party.save(update_fields=["preferred_language", "updated_at"])
        record_event(
            party, verb=Verb.EDITED, by=by, changes={"preferred_language": [old, language]}
        )
    return party


@transaction.atomic
def invite_to_party(*, party: Party, email: str, by: Any) -> Invitation:
    """A user who acts for ``party`` (or an officer) invites the person at ``email`` to act for
    it too. The e-mail carries a random token; only its SHA-256 is stored."""
    if not (by.has_perm("licensing.change_party") or by.has_perm("licensing.act_for_party", party)):
        raise PermissionDenied()
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        party=party,
        email=normalise_email(email),
        token_hash=token_hash(token),
        invited_by=by,
        expires_at=timezone.now() + dt.timedelta(days=settings.INVITATION_DAYS),
    )
    event = record_event(invitation, verb=Verb.CREATED, by=by, changes={"email": PERSONAL})
    queue_notification(
        key=f"invitation:{invitation.pk}",
        template="invitation",
        recipient=invitation.email,
        # The invitee has no account yet, perhaps: the inviter's language.
        language=language_of(by),
        event=event,
        context={
            "party_name": str(party),
            "inviter": by.email or by.get_username(),
            "link": _link("portal:accept_invitation", token),
            "expires_on": timezone.localdate(invitation.expires_at).isoformat(),
        },
        secret=("link",),
    )
    return invitation


def open_invitation(token: str) -> Invitation | None:
    """The invitation a link names, while it can still be accepted (a read, for the page)."""
    invitation = (
        Invitation.objects.select_related("party").filter(token_hash=token_hash(token)).first()
    )
    return invitation if invitation is not None and invitation.is_open else None


@transaction.atomic
def accept_invitation(*, token: str, user: Any) -> Invitation:
    """The signed-in user whose confirmed address the invitation was sent to. Lets the user
    act for the party (``grant_party_access``, in the inviter's name, who must still act for
    it). An invitation works once, until it expires."""
    invitation = Invitation.objects.select_for_update().filter(token_hash=token_hash(token)).first()
    if invitation is None or not invitation.is_open:
        raise LinkInvalid()
    if normalise_email(user.email) != invitation.email:
        raise InvitationForSomeoneElse()
    if not profile_of(user).email_verified:
        raise EmailNotVerified()
    try:
        grant_party_access(party=invitation.party, user=user, by=invitation.invited_by)
    except PermissionDenied as exc:  # the inviter no longer acts for the party
        raise LinkInvalid() from exc
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    record_event(
        invitation, verb=Verb.EDITED, by=user, changes={"accepted_by": user.get_username()}
    )
    return invitation
