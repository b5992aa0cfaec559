"""The licensee's pages: its licences with status and validity, and from each one the
renewal, the advance notice of a change (Art. 6.3(g)) and the request to transfer it to a
proposed licensee (Art. 6.4), who accepts from its own account."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from licensing.exceptions import DomainError
from licensing.models import (
    Application,
    ApplicationState,
    IssuedDocument,
    IssuedDocumentKind,
    Licence,
    LicenceState,
    TransferRequest,
    TransferRequestState,
)
from licensing.models.activities import activity_labels
from licensing.portal.case_access import (
    acting_parties,
    portal_licences,
    portal_transfer_requests,
)
from licensing.portal.case_forms import (
    ChangeNotificationForm,
    TransferAcceptForm,
    TransferRequestForm,
)
from licensing.portal.cases import resume_url
from licensing.services import cases as case_services
from licensing.services import transfers as transfer_services
from licensing.services.letters import current_letters

RENEWAL_REMINDER_DAYS = 90


def licence_for(request: HttpRequest, public_id: Any) -> Licence:
    return get_object_or_404(
        portal_licences(request.user).select_related("holder"), public_id=public_id
    )


def licence_url(licence: Licence) -> str:
    return reverse("portal:licence_detail", kwargs={"public_id": licence.public_id})


def pdf_url(licence: Licence) -> str:
    """The registrar's PDF download, once ``portal:licence_pdf`` exists and the licence has
    been printed: no link that leads to a 404."""
    if not IssuedDocument.objects.filter(licence=licence, kind=IssuedDocumentKind.LICENCE).exists():
        return ""
    try:
        return reverse("portal:licence_pdf", kwargs={"public_id": licence.public_id})
    except NoReverseMatch:
        return ""


def next_action(licence: Licence, today: dt.date) -> Any:
    if licence.state == LicenceState.ACTIVE:
        if licence.expires_on - today <= dt.timedelta(days=RENEWAL_REMINDER_DAYS):
            return _("Apply for renewal before %(date)s.") % {"date": licence.expires_on}
        return ""
    if licence.state == LicenceState.EXPIRED and licence.is_renewable(today):
        return _("Expired: you can still renew it until %(date)s.") % {
            "date": licence.grace_period_ends_on()
        }
    if licence.state == LicenceState.SUSPENDED:
        return _("Suspended: you may not carry out the licensed activities. Contact the authority.")
    return ""


@login_required
def licence_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    licences = portal_licences(request.user).select_related("holder").order_by("expires_on")
    rows = [
        {
            "licence": licence,
            "activities": activity_labels(list(licence.activities)),
            "next_action": next_action(licence, today),
        }
        for licence in licences
    ]
    return render(request, "portal/cases/licence_list.html", {"rows": rows})


@login_required
def licence_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    licence = licence_for(request, public_id)
    today = timezone.localdate()
    transfers = TransferRequest.objects.filter(licence=licence).order_by("-created_at")
    applications = licence.applications.filter(party=licence.holder).exclude(
        state=ApplicationState.WITHDRAWN
    )
    return render(
        request,
        "portal/cases/licence_detail.html",
        {
            "licence": licence,
            "activities": activity_labels(list(licence.activities)),
            "terms": licence.terms.order_by("valid_from"),
            "conditions": licence.conditions.order_by("created_at"),
            "sites": licence.sites.order_by("name"),
            "applications": applications.order_by("-created_at"),
            "transfers": transfers,
            "next_action": next_action(licence, today),
            "can_renew": licence.is_renewable(today),
            "is_active": licence.state == LicenceState.ACTIVE,
            "pdf_url": pdf_url(licence),
            "letters": current_letters(licence),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def licence_renew(request: HttpRequest, public_id: Any) -> HttpResponse:
    licence = licence_for(request, public_id)
    if request.method == "POST":
        try:
            application = case_services.start_renewal(licence_id=licence.pk, by=request.user)
        except DomainError as error:
            messages.error(request, str(str(error)))
            return redirect(licence_url(licence))
        return redirect(resume_url(application))
    return render(
        request,
        "portal/cases/licence_renew.html",
        {
            "licence": licence,
            "activities": activity_labels(list(licence.activities)),
            "sites": licence.sites.order_by("name"),
            "can_renew": licence.is_renewable(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def licence_change(request: HttpRequest, public_id: Any) -> HttpResponse:
    licence = licence_for(request, public_id)
    form = ChangeNotificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = case_services.notify_change(
                licence_id=licence.pk,
                by=request.user,
                subject=form.cleaned_data["subject"],
                description=form.cleaned_data["description"],
                effective_on=form.cleaned_data["effective_on"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect(resume_url(application))
    return render(
        request,
        "portal/cases/licence_change.html",
        {"licence": licence, "form": form, "is_active": licence.state == LicenceState.ACTIVE},
    )


@login_required
@require_http_methods(["GET", "POST"])
def licence_transfer(request: HttpRequest, public_id: Any) -> HttpResponse:
    licence = licence_for(request, public_id)
    form = TransferRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer_services.request_transfer(
                licence_id=licence.pk, by=request.user, email=form.cleaned_data["email"]
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("We have sent the proposed licensee a link to accept the transfer.")
            )
            return redirect(licence_url(licence))
    open_requests = [
        t
        for t in TransferRequest.objects.filter(licence=licence).filter(
            state=TransferRequestState.REQUESTED
        )
        if t.is_open
    ]
    return render(
        request,
        "portal/cases/licence_transfer.html",
        {
            "licence": licence,
            "form": form,
            "open_requests": open_requests,
            "is_active": licence.state == LicenceState.ACTIVE,
            "days": transfer_services.request_days(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_cancel(request: HttpRequest, public_id: Any) -> HttpResponse:
    transfer = get_object_or_404(
        portal_transfer_requests(request.user).select_related("licence"), public_id=public_id
    )
    if request.method == "POST":
        try:
            transfer_services.cancel_transfer(transfer_id=transfer.pk, by=request.user)
        except DomainError as error:
            messages.error(request, str(str(error)))
        else:
            messages.success(
                request, _("The transfer request is cancelled; its link no longer works.")
            )
        return redirect(licence_url(transfer.licence))
    return render(request, "portal/cases/transfer_cancel.html", {"transfer": transfer})


@login_required
@require_http_methods(["GET", "POST"])
def transfer_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The proposed licensee's side (Art. 6.4): the link from the e-mail, once signed in."""
    transfer = transfer_services.find_transfer(token)
    if transfer is None or not transfer.is_open:
        return render(request, "portal/cases/transfer_invalid.html", status=404)
    parties = acting_parties(request.user).exclude(pk=transfer.licence.holder_id)
    form = TransferAcceptForm(request.POST or None, parties=parties)
    if request.method == "POST" and form.is_valid():
        try:
            accepted = transfer_services.accept_transfer(
                token=token, by=request.user, party_id=form.cleaned_data["party"].pk
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Transfer accepted. Complete your application with your full information."),
            )
            return redirect(resume_url(cast(Application, accepted.application)))
    return render(
        request,
        "portal/cases/transfer_accept.html",
        {
            "transfer": transfer,
            "licence": transfer.licence,
            "form": form,
            "has_parties": parties.exists(),
            "authority": settings.AUTHORITY_NAME,
        },
    )
