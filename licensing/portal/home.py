"""The portal's first page: for a visitor, who needs a licence and how to start; for a signed-in
applicant, the parties it acts for, their drafts, applications and licences."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from licensing.models.activities import TRANSIT_ACTIVITIES
from licensing.models.applications import OPEN_STATES, ApplicationState
from licensing.selectors import visible_applications, visible_licences, visible_parties

DECIDED_STATES = (ApplicationState.APPROVED, ApplicationState.REFUSED, ApplicationState.WITHDRAWN)


def optional_url(name: str, **kwargs: Any) -> str | None:
    """The URL of a portal page that another part of the portal provides, or None while that
    part does not exist yet: the page then lists the record without a link."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def rows(objects: Any, name: str) -> list[dict[str, Any]]:
    return [{"object": obj, "url": optional_url(name, public_id=obj.public_id)} for obj in objects]


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return render(request, "portal/start.html")
    if user.is_staff:
        return redirect("admin:index")
    applications = visible_applications(user).select_related("party", "licence")
    licences = rows(
        visible_licences(user).select_related("holder").order_by("expires_on", "pk"),
        "portal:licence_detail",
    )
    moves_goods = any(
        TRANSIT_ACTIVITIES.intersection(row["object"].activities or []) for row in licences
    )
    context = {
        "parties": list(visible_parties(user).order_by("legal_name", "pk")),
        "drafts": rows(
            applications.filter(state=ApplicationState.DRAFT).order_by("-updated_at"),
            "portal:draft_resume",
        ),
        "in_progress": rows(
            applications.filter(state__in=OPEN_STATES).order_by("-submitted_at", "-pk"),
            "portal:application_detail",
        ),
        "decided": rows(
            applications.filter(state__in=DECIDED_STATES).order_by("-updated_at", "-pk"),
            "portal:application_detail",
        ),
        "licences": licences,
        "apply_url": optional_url("portal:apply_start"),
        "licence_list_url": optional_url("portal:licence_list"),
        # Art. 7, 10.1(a): the licensee's reports, where the due-diligence app provides them.
        "report_list_url": optional_url("portal:report_list"),
        # Art. 12.3: transporters and brokers notify transits, where cooperation provides it.
        "transit_url": optional_url("cooperation:transits") if moves_goods else None,
    }
    return render(request, "portal/home.html", context)
