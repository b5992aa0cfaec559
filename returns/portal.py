"""The holder's returns in the portal (Art. 9.1, 9.2): what is due, what was filed, filing by
the form or by an uploaded file (checked first, filed only once confirmed), and corrections.
A user reaches only the periods of the parties it acts for; every other period is a 404."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from licensing.exceptions import DomainError
from returns import selectors
from returns.forms import PARTS, ReturnForms, UploadForm
from returns.models import FiledThrough, ReturnPeriod
from returns.services.filing import ReturnData, file_return
from returns.upload import DryRun, check_rows, check_upload, template_csv

SESSION_KEY = "returns_dry_runs"
KEPT_DRY_RUNS = 3  # a few tabs' worth; the oldest goes first

portal_login = login_required(login_url="portal:login")


def _period(request: HttpRequest, period_id: int) -> ReturnPeriod:
    period = selectors.portal_period(request.user, period_id)
    if period is None:
        raise Http404()
    return period


def period_url(period: ReturnPeriod) -> str:
    return reverse("returns:period", kwargs={"period_id": period.pk})


def _not_open(request: HttpRequest, period: ReturnPeriod) -> HttpResponse | None:
    if selectors.period_row(period).can_file:
        return None
    messages.error(request, str(_("This period has not begun yet: its return cannot be filed.")))
    return redirect(period_url(period))


@portal_login
@require_GET
def period_list(request: HttpRequest) -> HttpResponse:
    licence = request.GET.get("licence")
    try:
        licence_id = uuid.UUID(licence) if licence else None
    except ValueError as exc:
        raise Http404() from exc
    groups = selectors.periods_by_licence(request.user, licence_id)
    return render(
        request, "returns/portal/periods.html", {"groups": groups, "filtered": bool(licence_id)}
    )


@portal_login
@require_GET
def period_detail(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    current = selectors.current_return(period)
    return render(
        request,
        "returns/portal/period.html",
        {
            "period": period,
            "row": selectors.period_row(period, current.version if current else None),
            "versions": selectors.versions(period),
            "current": current,
            "figures": selectors.figures(selectors.data_of(current)) if current else None,
        },
    )


def _file(
    request: HttpRequest, period: ReturnPeriod, data: ReturnData, through: str, reason: str
) -> str | None:
    """Files the return; the domain error's message when the service refuses."""
    try:
        filed = file_return(
            period_id=period.pk, by=request.user, data=data, through=through, reason=reason
        )
    except DomainError as error:
        return str(error)
    if filed.version > 1:
        done = str(
            _("The correction is filed as version %(version)s.") % {"version": filed.version}
        )
    else:
        done = str(_("The return is filed. Thank you."))
    messages.success(request, done)
    return None


@portal_login
@require_http_methods(["GET", "POST"])
def file_form(request: HttpRequest, period_id: int) -> HttpResponse:
    """The return's form; for a period already filed, a correction prefilled from the current
    version, with its reason."""
    period = _period(request, period_id)
    refused = _not_open(request, period)
    if refused:
        return refused
    current = selectors.current_return(period)
    correction = current is not None
    status = 200
    error = ""
    if request.method == "POST":
        forms = ReturnForms(request.POST, correction=correction)
        add = request.POST.get("add_row", "")
        if add:  # no JavaScript: the page again, as typed, with one more empty row
            forms = ReturnForms(
                correction=correction,
                initial=forms.posted_rows(),
                extra=add if add in {prefix for prefix, *_rest in PARTS} else "",
                reason=forms.posted_reason(),
            )
        elif forms.is_valid():
            error = (
                _file(request, period, forms.cleaned(), FiledThrough.FORM, forms.reason_text())
                or ""
            )
            if not error:
                return redirect(period_url(period))
            status = 400
        else:
            status = 400
    else:
        initial = selectors.data_of(current) if current else None
        forms = ReturnForms(correction=correction, initial=initial)
    return render(
        request,
        "returns/portal/file.html",
        {"period": period, "forms": forms, "correction": correction, "error": error},
        status=status,
    )


def _dry_runs(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(SESSION_KEY, {}))


def _keep(request: HttpRequest, period: ReturnPeriod, dry_run: DryRun, **extra: Any) -> str:
    """The checked rows, kept server-side under a random token until they are confirmed."""
    token = secrets.token_urlsafe(16)
    kept = _dry_runs(request)
    kept[token] = {
        "period": period.pk,
        "headers": dry_run.headers,
        "rows": dry_run.rows,
        "at": timezone.now().isoformat(),
        **extra,
    }
    request.session[SESSION_KEY] = dict(list(kept.items())[-KEPT_DRY_RUNS:])
    return token


@portal_login
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, period_id: int) -> HttpResponse:
    """Upload a file: it is checked, nothing is filed; its dry run follows."""
    period = _period(request, period_id)
    refused = _not_open(request, period)
    if refused:
        return refused
    correction = selectors.current_return(period) is not None
    if request.method != "POST":
        form = UploadForm(correction=correction)
        return render(request, "returns/portal/upload.html", {"period": period, "form": form})
    form = UploadForm(request.POST, request.FILES, correction=correction)
    if not form.is_valid():
        context = {"period": period, "form": form}
        return render(request, "returns/portal/upload.html", context, status=400)
    uploaded = form.cleaned_data["file"]
    dry_run = check_upload(uploaded.file, uploaded.name or "", uploaded.size or 0)
    if not dry_run.ok:
        return _dry_run_page(request, period, dry_run, filename=uploaded.name, status=400)
    token = _keep(
        request,
        period,
        dry_run,
        name=uploaded.name,
        reason=form.cleaned_data.get("reason", ""),
    )
    return redirect("returns:dry_run", period_id=period.pk, token=token)


def _dry_run_page(
    request: HttpRequest,
    period: ReturnPeriod,
    dry_run: DryRun,
    *,
    filename: str | None,
    token: str = "",
    reason: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "returns/portal/dry_run.html",
        {
            "period": period,
            "dry_run": dry_run,
            "figures": selectors.figures(dry_run.data) if dry_run.data else None,
            "filename": filename,
            "token": token,
            "reason": reason,
            "error": error,
        },
        status=status,
    )


@portal_login
@require_http_methods(["GET", "POST"])
def dry_run(request: HttpRequest, period_id: int, token: str) -> HttpResponse:
    """What the uploaded file would file; the button files it, from the rows kept in the
    session (never from the page)."""
    period = _period(request, period_id)
    kept = _dry_runs(request).get(token)
    if not kept or kept.get("period") != period.pk:
        messages.error(request, str(_("This upload is no longer waiting: upload the file again.")))
        return redirect(period_url(period))
    rows = [(int(number), dict(row)) for number, row in kept["rows"]]
    checked = check_rows(list(kept["headers"]), rows)
    reason = str(kept.get("reason", ""))
    page = {"filename": kept.get("name"), "token": token, "reason": reason}
    if request.method != "POST" or not checked.ok or checked.data is None:
        return _dry_run_page(request, period, checked, **page)
    error = _file(request, period, checked.data, FiledThrough.UPLOAD, reason)
    if error:
        return _dry_run_page(request, period, checked, error=error, status=400, **page)
    remaining = _dry_runs(request)
    remaining.pop(token, None)
    request.session[SESSION_KEY] = remaining
    return redirect(period_url(period))


@portal_login
@require_GET
def upload_template(request: HttpRequest) -> HttpResponse:
    """The CSV template: the header and an example row of each kind."""
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="return-template.csv"'
    return response
