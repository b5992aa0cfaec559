"""What an applicant or licensee does from the portal after filing: answer an information
request with documents, start a renewal, notify a change in advance (Art. 6.3(g)). Each
function checks that the user acts for the party and calls the core services for the
transition, so the state machine and its audit trail stay in one place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import PermissionDenied, TransitionNotAllowed
from licensing.models.applications import (
    OPEN_STATES,
    Application,
    ApplicationKind,
    ApplicationState,
    LicenceNotActive,
    LicenceNotRenewable,
)
from licensing.models.audit import Verb
from licensing.models.documents import DocumentKind
from licensing.models.licences import Licence, LicenceState
from licensing.services.applications import (
    create_application,
    open_information_request,
    provide_information,
)
from licensing.services.audit import record_event
from licensing.services.common import locked, require_reason
from licensing.services.documents import store_document


class ChangeSubject:
    """What a notified change concerns (Art. 6.3(g))."""

    INFORMATION = "information"
    LOCATION = "location"
    CHOICES = (
        (INFORMATION, _("information relevant to the licence")),
        (LOCATION, _("the location of a business")),
    )


def _acts_for(user: Any, party: Any) -> None:
    if not user.has_perm("licensing.act_for_party", party):
        raise PermissionDenied()


@transaction.atomic
def reply_to_information_request(
    *, application_id: int, by: Any, answer: str, uploads: Sequence[UploadedFile] = ()
) -> Application:
    """A user who acts for the applicant answers the open information request, with optional
    documents that name the request they answer; the application goes back to review
    (``provide_information``)."""
    application = locked(Application, application_id)
    _acts_for(by, application.party)
    if application.state != ApplicationState.INFORMATION_REQUESTED:
        raise TransitionNotAllowed(_("No information is requested for this application."))
    answer = require_reason(answer)
    # The application is locked: the request found here is the one provide_information answers.
    information_request = open_information_request(application)
    for upload in uploads:
        store_document(
            party=application.party,
            upload=upload,
            kind=DocumentKind.INFORMATION_REPLY,
            by=by,
            application=application,
            information_request=information_request,
        )
    return provide_information(application_id=application.pk, by=by, answer=answer)


def _open_application(licence: Licence, kind: str) -> Application | None:
    return (
        licence.applications.filter(kind=kind, party=licence.holder)
        .filter(state__in=[ApplicationState.DRAFT, *OPEN_STATES])
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def start_renewal(*, licence_id: int, by: Any) -> Application:
    """The holder's user starts a renewal draft, pre-filled with the licence's activities and
    sites. An existing draft is returned (a second click starts nothing new); a renewal
    already filed is refused."""
    licence = locked(Licence, licence_id)
    _acts_for(by, licence.holder)
    # Art. 6.3(f): active, or expired within the grace period.
    if not licence.is_renewable():
        raise LicenceNotRenewable()
    existing = _open_application(licence, ApplicationKind.RENEWAL)
    if existing is not None:
        if existing.state == ApplicationState.DRAFT:
            return existing
        raise TransitionNotAllowed(_("A renewal of this licence is already being decided."))
    application = create_application(
        party=licence.holder,
        kind=ApplicationKind.RENEWAL,
        activities=list(licence.activities),
        by=by,
        licence=licence,
    )
    sites = list(licence.sites.all())
    application.sites.set(sites)
    record_event(
        application,
        verb=Verb.EDITED,
        by=by,
        changes={"prefilled_from": licence.number, "sites": [str(site) for site in sites]},
    )
    return application


@transaction.atomic
def notify_change(
    *, licence_id: int, by: Any, subject: str, description: str, effective_on: dt.date
) -> Application:
    """Art. 6.3(g): the holder's user notifies, before it takes effect, a change of the
    information relevant to the licence or of a business location. It becomes a change
    application (a draft to complete and submit) for the officer to decide."""
    licence = locked(Licence, licence_id)
    _acts_for(by, licence.holder)
    if licence.state != LicenceState.ACTIVE:
        raise LicenceNotActive()
    description = require_reason(description)
    labels = dict(ChangeSubject.CHOICES)
    if subject not in labels:
        raise TransitionNotAllowed(_("Say what the change concerns."))
    if effective_on <= timezone.localdate():
        # Art. 6.3(g): notified in advance.
        raise TransitionNotAllowed(_("A change must be notified before the date it takes effect."))
    with translation.override(None):  # the record keeps the authority's working language
        heading = str(labels[subject])
    application = create_application(
        party=licence.holder,
        kind=ApplicationKind.CHANGE,
        activities=list(licence.activities),
        by=by,
        licence=licence,
        change_description=f"{heading[:1].upper()}{heading[1:]}: {description}",
    )
    application.effective_on = effective_on
    application.full_clean(exclude=["state"])
    application.save(update_fields=["effective_on", "updated_at"])
    sites = list(licence.sites.all())
    application.sites.set(sites)
    record_event(
        application,
        verb=Verb.EDITED,
        by=by,
        changes={
            "prefilled_from": licence.number,
            "subject": subject,
            "effective_on": effective_on.isoformat(),
            "sites": [str(site) for site in sites],
        },
    )
    return application
