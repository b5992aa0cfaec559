"""The licence page's inspections panel (Art. 6.3(e)): the next inspection date by risk, the
open inspections and the findings, registered with the core's panel hook so that the core does
not import this app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from inspections.models import OPEN_STATES
from inspections.services import planning
from licensing.admin.panels import register_panel


def licence_panel(request: HttpRequest, licence: Any) -> SafeString | str:
    if not request.user.has_perm("inspections.view_inspection"):
        return ""
    open_ = licence.inspections.filter(state__in=OPEN_STATES).order_by("planned_on")
    findings = planning.findings_of(licence).order_by("-inspection__planned_on", "-pk")[:20]
    rows = format_html_join(
        "",
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                reverse("admin:inspections_inspection_change", args=[f.inspection_id]),
                f.inspection.planned_on,
                f.get_severity_display(),
                f.description,
                f.remedy_by or "-",
            )
            for f in findings
        ),
    )
    planned = format_html_join(
        ", ",
        '<a href="{}">{} ({})</a>',
        (
            (
                reverse("admin:inspections_inspection_change", args=[i.pk]),
                i.planned_on,
                i.get_state_display(),
            )
            for i in open_
        ),
    )
    return format_html(
        '<fieldset class="module aligned"><h2>{}</h2><div class="form-row"><p>{}: {}</p>'
        "<p>{}: {}</p></div><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
        "</tr></thead><tbody>{}</tbody></table></fieldset>",
        _("Inspections"),
        _("Next periodic inspection due"),
        planning.next_inspection_date(licence),
        _("Open inspections"),
        planned or "-",
        _("Inspection"),
        _("Severity"),
        _("Finding"),
        _("Remedy by"),
        rows or format_html('<tr><td colspan="4">{}</td></tr>', _("No findings.")),
    )


register_panel("licensing.licence", licence_panel)
