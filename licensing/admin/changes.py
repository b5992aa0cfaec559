"""What an application proposes, on its page ("Changes proposed"), and the approved versions of
a party's records, on the party's page ("History"), with the party as of a chosen day (Art. 9).
Both are panels (``licensing.admin.panels``) drawn under the decision buttons."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from licensing.admin.actions import AdminAction
from licensing.admin.paging import offset, panel_page
from licensing.admin.panels import register_panel
from licensing.as_of import party_as_of
from licensing.changes import first_filing, party_history, proposed_changes
from licensing.models import Application, Party
from licensing.services.approve_proposals import rebase_blockers, rebase_proposal


def changes_panel(request: HttpRequest, application: Application) -> SafeString | str:
    if not request.user.has_perm("licensing.view_application"):
        return ""
    context = {
        "changes": proposed_changes(application, request.user),
        "first_filing": first_filing(application),
        "applied_at": application.changes_applied_at,
        "effective_on": application.effective_on,
    }
    return mark_safe(render_to_string("admin/licensing/changes_panel.html", context, request))  # noqa: S308 - a template, escaped


def _as_of_day(request: HttpRequest) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return None


HISTORY_PER_PAGE = 20
HISTORY_PARAM = "history_page"


def history_panel(request: HttpRequest, party: Party) -> SafeString | str:
    if not request.user.has_perm("licensing.view_party"):
        return ""
    day = _as_of_day(request)
    known = None
    if day is not None:
        end_of_day = dt.datetime.combine(
            day + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
        )
        known = party_as_of(party.pk, end_of_day - dt.timedelta(microseconds=1))
    # A page of the versions, newest first (licensing/admin/paging.py).
    newest_first = party_history(
        party,
        request.user,
        limit=HISTORY_PER_PAGE + 1,
        offset=offset(request, HISTORY_PARAM, HISTORY_PER_PAGE),
    )
    entries, pages = panel_page(request, HISTORY_PARAM, newest_first, HISTORY_PER_PAGE)
    context = {
        "entries": entries,
        "pages": pages,
        "as_of": day,
        "as_of_raw": request.GET.get("as_of", ""),
        "known": known,
        "approved_at": party.approved_at,
    }
    return mark_safe(render_to_string("admin/licensing/history_panel.html", context, request))  # noqa: S308 - a template, escaped


register_panel("licensing.application", changes_panel)
register_panel("licensing.party", history_panel)


# Art. 6.3(g): two applications of one party changed the same record; the later one is
# approved only after the officer has compared it with the records as they now stand.
REVIEW_CHANGES_AGAIN = AdminAction(
    "review_changes_again",
    _("Mark the changes reviewed again"),
    blockers=rebase_blockers,
    run=lambda a, u, d: rebase_proposal(application=a, by=u),
    help_text=_(
        "The applicant's records changed since this application proposed its changes. Compare "
        "the changes proposed with the records as they now stand, then confirm."
    ),
)
