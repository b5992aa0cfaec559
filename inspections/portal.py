"""The holder's inspection reports (Art. 6.3(e)), once an officer has reviewed them: a page per
licence, linked from the licence's page in the portal. Another party's licence is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from inspections.models import InspectionState
from licensing.portal.licences import licence_for


@login_required
@require_safe
def reports(request: HttpRequest, public_id: Any) -> HttpResponse:
    licence = licence_for(request, public_id)
    inspections = (
        licence.inspections.filter(state=InspectionState.REVIEWED, report__isnull=False)
        .select_related("site", "report")
        .order_by("-planned_on", "-pk")
    )
    return render(
        request,
        "inspections/portal/reports.html",
        {"licence": licence, "inspections": inspections},
    )
