"""The checks on a return in the officers' admin: a panel on the return's page with each
result of the latest run (check, article, outcome, summary, evidence, disposition) and the
buttons to clear or uphold a flag, posting to an admin view that calls the service; and a
panel on the party's page with its risk score and what makes it. Every value is escaped
(``format_html``). Shown to officers who see reviews; the buttons to those who conduct them."""

from __future__ import annotations

from typing import Any

from django import http
from django.contrib import admin, messages
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duediligence.models import Disposition, ReturnCheckResult
from duediligence.return_checks import return_check_for
from duediligence.services.return_checks import decide_return_flag
from duediligence.services.risk import party_risk
from licensing.admin.base import ReadOnlyAdmin
from licensing.admin.panels import register_panel
from licensing.exceptions import DomainError

VIEW = "duediligence.view_review"
DECIDE = "duediligence.conduct_review"


def _label(result: ReturnCheckResult) -> str:
    check = return_check_for(result.code)
    return str(check.label) if check else result.code


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_value(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "; ".join(_value(item) for item in value)
    return "" if value is None else str(value)


def _evidence(evidence: dict[str, Any]) -> SafeString:
    """Each item of the evidence, a list of rows as a nested list: escaped text only."""
    items = []
    for key, value in evidence.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            inner = format_html_join("", "<li>{}</li>", ((_value(v),) for v in value))
            items.append(format_html("<li>{}:<ul>{}</ul></li>", key, inner))
        else:
            items.append(format_html("<li>{}: {}</li>", key, _value(value)))
    return format_html("<ul>{}</ul>", format_html_join("", "{}", ((i,) for i in items)))


def _decision(request: http.HttpRequest, result: ReturnCheckResult, latest: int) -> SafeString:
    decided = (
        format_html(
            "{} ({}, {}): {}",
            result.get_disposition_display(),
            result.decided_by or "",
            result.decided_at.strftime("%Y-%m-%d %H:%M") if result.decided_at else "",
            result.reason,
        )
        if result.disposition
        else format_html("{}", "")
    )
    if not (result.is_flag and result.run == latest and request.user.has_perm(DECIDE)):
        return decided
    return format_html(
        '{}<form method="post" action="{}" class="return-flag">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<label>{} <textarea name="reason" rows="2" cols="40" required></textarea></label> '
        '<button type="submit" name="disposition" value="{}">{}</button> '
        '<button type="submit" name="disposition" value="{}" class="danger">{}</button>'
        "</form>",
        decided,
        reverse("admin:duediligence_returncheckresult_decide", args=[result.pk]),
        get_token(request),
        _("Reason"),
        Disposition.CLEARED,
        _("Clear the flag"),
        Disposition.UPHELD,
        _("Uphold the flag"),
    )


def return_panel(request: http.HttpRequest, filed_return: Any) -> SafeString | str:
    """On a return's page: the results of the latest run on this version."""
    if not request.user.has_perm(VIEW):
        return ""
    results = list(
        ReturnCheckResult.objects.filter(filed_return_id=filed_return.pk)
        .select_related("decided_by")
        .order_by("-run", "pk")
    )
    if not results:
        return format_html(
            '<section class="decisions return-checks"><h2>{}</h2><p>{}</p></section>',
            _("Checks"),
            _("The checks have not run on this version yet."),
        )
    latest = results[0].run
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td><strong>{}</strong></td><td>{}{}</td><td>{}</td></tr>",
        (
            (
                _label(r),
                r.article,
                r.get_outcome_display(),
                r.summary,
                _evidence(r.evidence),
                _decision(request, r, latest),
            )
            for r in results
            if r.run == latest
        ),
    )
    return format_html(
        '<section class="decisions return-checks" aria-labelledby="return-checks-title">'
        '<h2 id="return-checks-title">{}</h2><p>{}</p><table><thead><tr><th>{}</th><th>{}</th>'
        "<th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table></section>",
        _("Checks"),
        _("Run %(run)s") % {"run": latest},
        _("Check"),
        _("Article"),
        _("Result"),
        _("Summary and evidence"),
        _("Disposition"),
        rows,
    )


def party_panel(request: http.HttpRequest, party: Any) -> SafeString | str:
    """On a party's page: its risk score and each contribution."""
    if not request.user.has_perm(VIEW):
        return ""
    score, contributions = party_risk(party.pk)
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (c.label, c.subject, c.article, c.outcome_label, c.disposition_label, c.points)
            for c in contributions
        ),
    )
    return format_html(
        '<section class="decisions party-risk" aria-labelledby="party-risk-title">'
        '<h2 id="party-risk-title">{}</h2><p>{}: <strong>{}</strong></p><table><thead><tr>'
        "<th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
        "<tbody>{}</tbody></table></section>",
        _("Risk"),
        _("risk score"),
        score,
        _("Check"),
        _("Period"),
        _("Article"),
        _("Result"),
        _("Disposition"),
        _("Points"),
        rows,
    )


@require_POST
def decide_view(request: http.HttpRequest, result_id: int) -> http.HttpResponse:
    """The panel's buttons: clear or uphold a flag, with the reason typed beside them."""
    result = get_object_or_404(ReturnCheckResult, pk=result_id)
    try:
        decide_return_flag(
            result_id=result.pk,
            by=request.user,
            disposition=request.POST.get("disposition", ""),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The decision is recorded."))
    return redirect("admin:returns_return_change", result.filed_return_id)


class ReturnCheckResultAdmin(ReadOnlyAdmin):
    """Read on the return's page; this admin carries the decision view's URL."""

    list_display = ("filed_return", "run", "code", "outcome", "disposition")

    def has_module_permission(self, request: http.HttpRequest) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:result_id>/decide/",
                self.admin_site.admin_view(decide_view),
                name="duediligence_returncheckresult_decide",
            ),
            *super().get_urls(),
        ]


if not admin.site.is_registered(ReturnCheckResult):
    admin.site.register(ReturnCheckResult, ReturnCheckResultAdmin)
register_panel("returns.return", return_panel)
register_panel("licensing.party", party_panel)
