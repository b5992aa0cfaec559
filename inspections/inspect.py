"""The inspector's phone-sized pages (Art. 6.3(e)): today's and upcoming inspections, and one
inspection from start to submission. No JavaScript; each post saves what was typed. Object
level: an inspector opens only the inspections assigned to them (any other is a 404);
officers open all, and change none (the page's changes are the assigned inspector's)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from inspections.forms import InspectionForm
from inspections.models import OPEN_STATES, Inspection, InspectionState, Severity
from inspections.models.inspections import assigned_inspector
from inspections.services import inspections as services
from inspections.services.errors import MandatoryAnswersMissing
from licensing.exceptions import DomainError
from licensing.services.rules import suspension_proposal_blockers


def _staff(request: HttpRequest) -> Any:
    user = request.user
    if not (
        user.is_staff
        and (
            user.has_perm("inspections.carry_out_inspection")
            or user.has_perm("inspections.review_inspection")
        )
    ):
        raise PermissionDenied
    return user


@login_required(login_url="admin:login")
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    today = timezone.localdate()
    mine = services.inspections_for(user).filter(inspector=user)
    open_ = mine.filter(state__in=OPEN_STATES).order_by("planned_on", "pk")
    return render(
        request,
        "inspections/inspect/list.html",
        {
            "overdue": open_.filter(planned_on__lt=today),
            "today": open_.filter(planned_on=today),
            "upcoming": open_.filter(planned_on__gt=today)[:30],
            "done": mine.exclude(state__in=OPEN_STATES).order_by("-planned_on", "-pk")[:10],
            "can_witness": user.has_perm("equipment.witness_destruction"),
        },
    )


@login_required(login_url="admin:login")
@require_http_methods(["GET", "POST"])
def inspection_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    user = _staff(request)
    inspection: Inspection = get_object_or_404(services.inspections_for(user), public_id=public_id)
    mine = assigned_inspector(inspection, user)
    if request.method == "POST" and not mine:
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "start":
        try:
            services.start_inspection(inspection_id=inspection.pk, by=user)
        except DomainError as error:
            messages.error(request, str(error))
        return redirect("inspections:inspect", public_id=inspection.public_id)
    form = None
    if mine and inspection.state in services.EDITABLE:
        form = InspectionForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            inspection=inspection,
        )
        if request.method == "POST" and form.is_valid():
            submitting = request.POST.get("action") == "submit"
            # Why a critical finding could not propose a suspension now (Art. 6.3(a)): the
            # licence is not active, or a decision is already proposed. Said, not silent.
            not_proposed = suspension_proposal_blockers(inspection.licence, user)
            try:
                services.save_record(inspection_id=inspection.pk, by=user, **form.record())
                if submitting:
                    services.submit_inspection(inspection_id=inspection.pk, by=user)
                    _tell_about_suspension(request, inspection, not_proposed)
            except MandatoryAnswersMissing as error:
                # What was typed is saved; the page says what is still needed.
                inspection.refresh_from_db()
                form.add_error(None, str(error))
                form.mark_missing(services.missing_answers(inspection))
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    str(
                        _("The inspection is submitted. A licence officer reviews it.")
                        if submitting
                        else _("Saved.")
                    ),
                )
                return redirect("inspections:inspect", public_id=inspection.public_id)
    elif request.method == "POST":
        messages.error(request, str(_("This inspection can no longer be changed.")))
        return redirect("inspections:inspect", public_id=inspection.public_id)
    return render(
        request,
        "inspections/inspect/detail.html",
        {
            "inspection": inspection,
            "form": form,
            "can_start": mine and inspection.state == InspectionState.PLANNED,
            "machines": services.expected_machines(inspection),
            "findings": inspection.findings.order_by("pk"),
            "photos": inspection.photos.count(),
        },
    )


def _tell_about_suspension(request: HttpRequest, inspection: Inspection, blockers: Any) -> None:
    if not inspection.findings.filter(severity=Severity.CRITICAL).exists():
        return
    if blockers:
        messages.warning(
            request,
            str(_("No suspension was proposed for the critical findings: %(reason)s"))
            % {"reason": blockers[0]},
        )
    else:
        messages.info(
            request,
            str(_("The critical findings propose a suspension; a licence officer decides.")),
        )
