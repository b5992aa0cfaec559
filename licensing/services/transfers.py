"""Transfer of a licence (Art. 6.4), the licensee's part: the holder names the proposed
licensee by e-mail; the proposed licensee accepts from its own portal account, which starts
its transfer application. The authority approves that application only with the proposed
licensee's full Art. 6.3(b) information and a senior officer's confirmation."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed
from licensing.models.applications import ApplicationKind, LicenceNotActive
from licensing.models.audit import Verb
from licensing.models.licences import Licence, LicenceState
from licensing.models.parties import Party
from licensing.models.transfers import TransferRequest, TransferRequestState
from licensing.services.applications import create_application
from licensing.services.audit import record_event
from licensing.services.common import locked
from licensing.services.notifications import queue_notification

DEFAULT_DAYS = 14


class TransferLinkInvalid(DomainError):
    default_message = _(
        "This transfer link is not valid: it has expired, or was used or cancelled."
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_days() -> int:
    return int(getattr(settings, "TRANSFER_REQUEST_DAYS", DEFAULT_DAYS))


def _acts_for(user: Any, party: Party) -> None:
    if not user.has_perm("licensing.act_for_party", party):
        raise PermissionDenied()


def _notify_proposed_licensee(transfer: TransferRequest, token: str, event: Any) -> None:
    """The e-mail goes to an address, not to a party. The link is blanked in the stored
    notification once sent, so the table keeps no working token."""
    licence = transfer.licence
    path = reverse("portal:transfer_accept", kwargs={"token": token})
    queue_notification(
        key=f"transfer_requested:{transfer.pk}",
        template="transfer_requested",
        recipient=transfer.proposed_email,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        context={
            "licence": licence.number,
            "party_name": str(licence.holder),
            "accept_url": f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}",
            "link_expires_on": timezone.localdate(transfer.expires_at).isoformat(),
        },
        event=event,
        secret=("accept_url",),
    )


@transaction.atomic
def request_transfer(*, licence_id: int, by: Any, email: str) -> tuple[TransferRequest, str]:
    """A user who acts for the holder names the proposed licensee (Art. 6.4). Returns the
    request and its token, which only the e-mail carries; the database keeps its hash."""
    licence = locked(Licence, licence_id)
    _acts_for(by, licence.holder)
    if licence.state != LicenceState.ACTIVE:
        raise LicenceNotActive()
    email = email.strip().lower()
    if not email:
        raise TransitionNotAllowed(_("Give the e-mail address of the proposed licensee."))
    if any(
        t.is_open
        for t in TransferRequest.objects.filter(licence=licence).filter(
            state=TransferRequestState.REQUESTED
        )
    ):
        raise TransitionNotAllowed(
            _("A transfer of this licence is already requested: cancel it first.")
        )
    token = secrets.token_urlsafe(32)
    transfer = TransferRequest.objects.create(
        licence=licence,
        proposed_email=email,
        token_hash=token_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=request_days()),
        requested_by=by,
    )
    event = record_event(
        transfer,
        verb=Verb.CREATED,
        by=by,
        to_state=transfer.state,
        changes={"licence": licence.number},
    )
    _notify_proposed_licensee(transfer, token, event)
    return transfer, token


def find_transfer(token: str) -> TransferRequest | None:
    """The request a link's token belongs to, whatever its state."""
    return (
        TransferRequest.objects.select_related("licence", "licence__holder")
        .filter(token_hash=token_hash(token))
        .first()
    )


@transaction.atomic
def accept_transfer(*, token: str, by: Any, party_id: int) -> TransferRequest:
    """The proposed licensee, logged in, accepts for a party it acts for: this starts that
    party's transfer application (a draft), which it completes with its full Art. 6.3(b)
    information. The link works once, until it expires."""
    found = find_transfer(token)
    if found is None:
        raise TransferLinkInvalid()
    transfer = locked(TransferRequest, found.pk)
    if not transfer.is_open:
        raise TransferLinkInvalid()
    party = Party.objects.get(pk=party_id)
    _acts_for(by, party)
    licence = transfer.licence
    if party.pk == licence.holder_id:
        raise TransitionNotAllowed(_("A licence cannot be transferred to its own holder."))
    if licence.state != LicenceState.ACTIVE:
        raise LicenceNotActive()
    application = create_application(
        party=party,
        kind=ApplicationKind.TRANSFER,
        activities=list(licence.activities),
        by=by,
        licence=licence,
    )
    from_state = transfer.state
    transfer.state = TransferRequestState.ACCEPTED
    transfer.accepted_at = timezone.now()
    transfer.accepted_by = by
    transfer.application = application
    transfer.save(
        update_fields=["state", "accepted_at", "accepted_by", "application", "updated_at"]
    )
    record_event(
        transfer,
        verb=Verb.EDITED,
        by=by,
        from_state=from_state,
        to_state=transfer.state,
        changes={"application": application.reference, "party": str(party)},
    )
    return transfer


@transaction.atomic
def cancel_transfer(*, transfer_id: int, by: Any) -> TransferRequest:
    """A user who acts for the holder withdraws a request not yet accepted; its link dies."""
    transfer = locked(TransferRequest, transfer_id)
    _acts_for(by, transfer.licence.holder)
    if transfer.state != TransferRequestState.REQUESTED:
        raise TransitionNotAllowed(_("Only a request not yet accepted can be cancelled."))
    transfer.state = TransferRequestState.CANCELLED
    transfer.cancelled_at = timezone.now()
    transfer.save(update_fields=["state", "cancelled_at", "updated_at"])
    record_event(
        transfer,
        verb=Verb.EDITED,
        by=by,
        from_state=TransferRequestState.REQUESTED,
        to_state=transfer.state,
    )
    return transfer
