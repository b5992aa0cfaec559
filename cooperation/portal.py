"""The holder's transit notices in the portal (Art. 12.3): the list, the notice form, one
notice with its state, and the confirmation that the goods left. A user reaches only the
notices of the parties it acts for; every other one is a 404."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cooperation.models import OPEN_TRANSIT, TransitNotice
from cooperation.services import transit
from cooperation.transit_forms import ExitForm, TransitNoticeForm, transit_licences
from licensing.exceptions import DomainError
from licensing.selectors import acting_parties

portal_login = login_required(login_url="portal:login")


def _notices(user: Any) -> Any:
    return TransitNotice.objects.filter(party__in=acting_parties(user))


def _notice(request: HttpRequest, public_id: uuid.UUID) -> TransitNotice:
    notice = _notices(request.user).select_related("licence", "party").filter(public_id=public_id)
    found = notice.first()
    if found is None:
        raise Http404()
    return found


@portal_login
@require_GET
def transit_list(request: HttpRequest) -> HttpResponse:
    notices = _notices(request.user).select_related("licence").order_by("-enters_on", "-pk")
    return render(
        request,
        "cooperation/portal/transits.html",
        {"notices": notices[:200], "may_notify": transit_licences(request.user).exists()},
    )


@portal_login
@require_http_methods(["GET", "POST"])
def transit_new(request: HttpRequest) -> HttpResponse:
    if not transit_licences(request.user).exists():
        raise Http404()
    form = TransitNoticeForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            notice = form.save(commit=False)
            try:
                transit.notify_transit(notice=notice, by=request.user)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Transit notice %(reference)s is filed.") % {"reference": notice.reference},
                )
                return redirect("cooperation:transit", public_id=notice.public_id)
        status = 400
    return render(request, "cooperation/portal/transit_new.html", {"form": form}, status=status)


@portal_login
@require_http_methods(["GET", "POST"])
def transit_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    notice = _notice(request, public_id)
    form = ExitForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if notice.state not in OPEN_TRANSIT:  # sent again, or the officer recorded it first
            messages.info(request, _("The exit of these goods is already recorded."))
            return redirect(reverse("cooperation:transit", args=[notice.public_id]))
        if form.is_valid():
            try:
                transit.confirm_exit(
                    notice_id=notice.pk,
                    by=request.user,
                    left_on=form.cleaned_data["left_on"],
                    at_point=form.cleaned_data["at_point"],
                )
            except DomainError as error:
                form.add_error("left_on", str(error))
            else:
                messages.success(request, _("Thank you: the exit of the goods is recorded."))
                return redirect(reverse("cooperation:transit", args=[notice.public_id]))
        status = 400
    return render(
        request,
        "cooperation/portal/transit.html",
        {"notice": notice, "form": form, "open": notice.state in OPEN_TRANSIT},
        status=status,
    )
