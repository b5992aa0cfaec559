"""The licensee's reports in the portal (Art. 7.1 to 7.3, 7.1(c), 10.1(a)): the list of its
reports with their states, a form per kind, and each report as filed. A user sees the reports
of the parties it acts for and no others (404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from duediligence.models import LicenseeReport, ReportKind
from duediligence.portal.forms import FORMS
from duediligence.services.reports import file_report, reporting_parties
from licensing.exceptions import DomainError
from licensing.selectors import acting_parties


def portal_reports(user: Any) -> QuerySet[LicenseeReport]:
    return LicenseeReport.objects.filter(licensee__in=acting_parties(user))


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    reports = portal_reports(request.user).select_related("licensee").order_by("-created_at", "-pk")
    return render(
        request,
        "portal/reports/report_list.html",
        {
            "reports": reports,
            "kinds": ReportKind.choices,
            "may_report": reporting_parties(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest, kind: str) -> HttpResponse:
    form_class = FORMS.get(kind)
    if form_class is None:
        raise Http404
    licensees = reporting_parties(request.user)
    if not licensees.exists():
        return render(request, "portal/reports/not_a_licensee.html", status=403)
    form = form_class(request.POST or None, request.FILES or None, licensees=licensees)
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data.get("evidence_files") or []
        try:
            report = file_report(
                party_id=form.cleaned_data["licensee"].pk,
                by=request.user,
                kind=kind,
                data=form.report_data(),
                uploads=uploads,
            )
        except DomainError as error:
            form.add_error("evidence_files" if uploads else None, str(error))
        else:
            messages.success(
                request,
                _("Thank you. Your report %(reference)s is filed with the authority.")
                % {"reference": report.reference},
            )
            return redirect("portal:report_detail", public_id=report.public_id)
    return render(
        request,
        "portal/reports/report_form.html",
        {"form": form, "kind_label": ReportKind(kind).label, "kind": kind},
    )


@login_required
def report_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The report as filed and its state. The officer's comment stays with the authority: it
    may speak of an inquiry into the licensee's own customer (Art. 7.4)."""
    report = get_object_or_404(
        portal_reports(request.user).select_related("licensee"), public_id=public_id
    )
    return render(
        request,
        "portal/reports/report_detail.html",
        {"report": report, "evidence": report.evidence.order_by("pk")},
    )
