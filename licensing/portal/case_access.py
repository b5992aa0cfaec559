"""What a portal user may open: the records of the parties it acts for, found through the
selectors and narrowed to the parties for which the user holds the object permission. Staff
are not applicants: an officer's global permissions open nothing here."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from licensing import selectors
from licensing.models import Application, Document, Licence, TransferRequest
from licensing.selectors import acting_parties


def portal_applications(user: Any) -> QuerySet[Application]:
    return selectors.visible_applications(user).filter(party__in=acting_parties(user))


def portal_licences(user: Any) -> QuerySet[Licence]:
    return selectors.visible_licences(user).filter(holder__in=acting_parties(user))


def portal_documents(user: Any) -> QuerySet[Document]:
    return Document.objects.filter(party__in=acting_parties(user))


def portal_transfer_requests(user: Any) -> QuerySet[TransferRequest]:
    """Transfer requests of the licences this user's parties hold."""
    return TransferRequest.objects.filter(licence__in=portal_licences(user))
