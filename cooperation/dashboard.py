"""The officers' dashboard card of assistance cases (Art. 28): the open requests received, those due
within the reminder window and those overdue, each a link to the filtered list. One aggregate
query over the (state, due_on) index."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import npgettext

from cooperation.models import AssistanceCase, Direction
from cooperation.models.cases import OPEN_STATES
from licensing.dashboard import Tally, Tile, register_tile


def cases_tile(user: Any) -> Tile | None:
    if not user.has_perm("cooperation.view_assistancecase"):
        return None
    today = timezone.localdate()
    soon = today + dt.timedelta(days=settings.ASSISTANCE_REMIND_DAYS)
    # The requests this authority must answer: a request it sent waits on the other side.
    counts = AssistanceCase.objects.filter(
        state__in=OPEN_STATES, direction=Direction.INBOUND
    ).aggregate(
        open=Count("pk"),
        soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon)),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
    )
    base = reverse("admin:cooperation_assistancecase_changelist")
    inbound = f"direction__exact={Direction.INBOUND}"
    return Tile(
        title=_("Requests from other Parties"),
        tallies=[
            Tally(
                # A count's word agrees with its number ("0 åpne", "1 åpen").
                label=npgettext("count of cases", "open", "open", counts["open"]),
                count=counts["open"],
                url=f"{base}?{inbound}&state__in={','.join(OPEN_STATES)}",
            ),
            Tally(
                label=_("due within %(days)d days") % {"days": settings.ASSISTANCE_REMIND_DAYS},
                count=counts["soon"],
                url=f"{base}?{inbound}&due=soon",
            ),
            Tally(
                label=npgettext("count of cases", "overdue", "overdue", counts["overdue"]),
                count=counts["overdue"],
                url=f"{base}?{inbound}&due=overdue",
            ),
        ],
    )


def register() -> None:
    register_tile(cases_tile)
