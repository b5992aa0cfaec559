"""Registering a partner authority (Art. 21.1) and ending its access. Senior officers only
(``api.manage_partners``); every step is in the audit trail. The client secret is shown once,
when it is made, and kept only hashed (django-oauth-toolkit's ``hash_client_secret``)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AccessToken, get_application_model

from api.models import PartnerClient
from cooperation.models import CompetentAuthority
from licensing.exceptions import DomainError, PermissionDenied
from licensing.models.audit import Verb
from licensing.services.audit import record_event
from licensing.services.common import require_reason

MANAGE = "api.manage_partners"
PARTNER_GROUP = "partner authority"


class AuthorityWithdrawn(DomainError):
    # Art. 22.1: data are supplied only to an authority whose designation is in force.
    default_message = _("This authority's designation was withdrawn.")


class PartnerAlreadyRevoked(DomainError):
    default_message = _("This partner's access was already revoked.")


def _require(by: Any) -> None:
    if not (by.is_active and by.has_perm(MANAGE)):
        raise PermissionDenied()


def _new_secret() -> str:
    return secrets.token_urlsafe(48)


@transaction.atomic
def register_partner(
    *,
    authority: CompetentAuthority,
    contact_email: str,
    scopes: list[str],
    expires_on: dt.date,
    by: Any,
    rate: str = "",
    client_id: str = "",
    client_secret: str = "",
) -> tuple[PartnerClient, str]:
    """A new partner: its OAuth2 application (client credentials, confidential), its service
    account (no password, not staff, in the "partner authority" group) and the record. Returns
    the record and the client secret in clear, which is never shown again.
    ``client_id``/``client_secret``: given only by the demo, whose banner prints them."""
    _require(by)
    Application = get_application_model()
    secret = client_secret or _new_secret()
    username = f"partner-{secrets.token_hex(6)}"
    account = get_user_model().objects.create_user(username=username, email=contact_email)
    account.set_unusable_password()
    account.save(update_fields=["password"])
    account.groups.add(Group.objects.get(name=PARTNER_GROUP))
    application = Application(
        name=str(authority)[:255],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        hash_client_secret=True,
        skip_authorization=True,
    )
    if client_id:
        application.client_id = client_id
    application.full_clean(exclude=["user", "redirect_uris", "post_logout_redirect_uris"])
    application.save()
    if not authority.in_force:
        raise AuthorityWithdrawn()
    client = PartnerClient(
        authority=authority,
        contact_email=contact_email,
        scopes=sorted(set(scopes)),
        expires_on=expires_on,
        rate=rate,
        application=application,
        account=account,
        created_by=by,
    )
    client.full_clean()
    client.save()
    record_event(
        client,
        verb=Verb.CREATED,
        by=by,
        changes={"scopes": client.scopes, "expires_on": expires_on.isoformat()},
    )
    return client, secret


@transaction.atomic
def change_grant(
    *, client_id: int, scopes: list[str], expires_on: dt.date, rate: str, by: Any
) -> PartnerClient:
    """New scopes, period or limit: a scope withdrawn is refused at once, even to a token
    issued before (``api.auth.HasScope``)."""
    _require(by)
    client = PartnerClient.objects.select_for_update().get(pk=client_id)
    if client.revoked_at is not None:
        raise PartnerAlreadyRevoked()
    before = {
        "scopes": client.scopes,
        "expires_on": client.expires_on.isoformat(),
        "rate": client.rate,
    }
    client.scopes, client.expires_on, client.rate = sorted(set(scopes)), expires_on, rate
    client.full_clean()
    client.save(update_fields=["scopes", "expires_on", "rate", "updated_at"])
    after = {"scopes": client.scopes, "expires_on": expires_on.isoformat(), "rate": rate}
    record_event(
        client,
        verb=Verb.EDITED,
        by=by,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return client


@transaction.atomic
def new_secret(*, client_id: int, by: Any) -> str:
    """A new client secret (the old one stops working, and so do its tokens)."""
    _require(by)
    client = (
        PartnerClient.objects.select_for_update().select_related("application").get(pk=client_id)
    )
    if client.revoked_at is not None:
        raise PartnerAlreadyRevoked()
    secret = _new_secret()
    client.application.client_secret = secret
    client.application.save(update_fields=["client_secret", "updated"])
    AccessToken.objects.filter(application=client.application).delete()
    record_event(client, verb=Verb.EDITED, by=by, changes={"client_secret": "replaced"})
    return secret


@transaction.atomic
def revoke_partner(*, client_id: int, by: Any, reason: str) -> PartnerClient:
    """Ends a partner's access at once: its tokens are refused from the next request. The
    record, its calls and its trail stay (Art. 9.5(a))."""
    _require(by)
    reason = require_reason(reason)
    client = PartnerClient.objects.select_for_update().get(pk=client_id)
    if client.revoked_at is not None:
        raise PartnerAlreadyRevoked()
    client.revoked_at, client.revoked_by, client.revocation_reason = timezone.now(), by, reason
    client.save(update_fields=["revoked_at", "revoked_by", "revocation_reason", "updated_at"])
    AccessToken.objects.filter(application=client.application_id).delete()
    record_event(client, verb=Verb.REVOKED, by=by, reason=reason)
    return client
