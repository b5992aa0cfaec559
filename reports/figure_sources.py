"""The management pages that read monthly figures (issue 22): licensing decisions, inspection
coverage and findings, returns filed on time, and fee revenue. Each ``sum_month`` reads one
month of records (their date indexes), with the licence's activities and its sites' regions,
and yields one item per record; ``reports.figures`` sums them into rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import BigIntegerField, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from inspections.models import Finding, Inspection
from inspections.models.inspections import Severity
from licensing.models import (
    Application,
    ApplicationState,
    AuditEvent,
    DecisionGround,
    DecisionProposal,
    Licence,
    Payment,
    ProposalAction,
    ProposalStatus,
    Verb,
)
from reports.figures import Breakdown, Figure, Item, Link, Series, register
from returns.models import ReturnPeriod
from returns.models.periods import filed_late


def _regions(through: Any, key: str, ids: Iterable[int]) -> dict[int, set[str]]:
    """The regions of the sites of each licence or application in ``ids``: one query."""
    found: dict[int, set[str]] = defaultdict(set)
    rows = through.objects.filter(**{f"{key}__in": list(ids)}).exclude(site__region="")
    for owner, region in rows.values_list(key, "site__region"):
        found[owner].add(region)
    return found


def licence_regions(ids: Iterable[int]) -> dict[int, set[str]]:
    return _regions(Licence.sites.through, "licence_id", ids)


def application_regions(ids: Iterable[int]) -> dict[int, set[str]]:
    return _regions(Application.sites.through, "application_id", ids)


# Licensing decisions (Art. 6.1, 6.3(a)): refusals, suspensions and revocations by month, and
# by the ground in national law each was taken on (``DecisionGround``).

UNRECORDED = "unrecorded"  # a decision taken before grounds were recorded


def decisions(since: dt.datetime, until: dt.datetime) -> Iterable[Item]:
    refused = list(
        Application.objects.filter(
            state=ApplicationState.REFUSED, decided_at__gte=since, decided_at__lt=until
        ).values_list("pk", "activities", "assigned_officer_id")
    )
    grounds = dict(
        DecisionProposal.objects.filter(
            application_id__in=[pk for pk, *_rest in refused],
            action=ProposalAction.REFUSE,
            status=ProposalStatus.CONFIRMED,
        ).values_list("application_id", "ground")
    )
    places = application_regions(pk for pk, *_rest in refused)
    yield from _grounded(
        [(pk, acts, officer, "refused", grounds.get(pk)) for pk, acts, officer in refused], places
    )
    events = list(
        AuditEvent.objects.filter(
            content_type__app_label="licensing",
            content_type__model="licence",
            verb__in=[Verb.SUSPENDED, Verb.REVOKED],
            at__gte=since,
            at__lt=until,
        )
        .annotate(licence_id=Cast("object_id", BigIntegerField()), ground=KT("changes__ground"))
        .values_list("licence_id", "actor_id", "verb", "ground")
    )
    activities = dict(
        Licence.objects.filter(pk__in={pk for pk, *_rest in events}).values_list("pk", "activities")
    )
    places = licence_regions(activities)
    yield from _grounded(
        [(pk, activities.get(pk), actor, verb, ground) for pk, actor, verb, ground in events],
        places,
    )


def _grounded(
    rows: Iterable[tuple[int, Any, int | None, str, str | None]], places: dict[int, set[str]]
) -> Iterable[Item]:
    """Rows of (record, activities, officer, kind, ground): each decision once under its kind,
    and once under "<kind>:<ground>" for the breakdown by ground (Art. 6.3(a))."""
    for key, activities, officer, kind, ground in rows:
        ground = ground if ground in DecisionGround.values else UNRECORDED
        for series in (kind, f"{kind}:{ground}"):
            yield series, activities or [], places.get(key, set()), officer, 1


register(
    Figure(
        slug="decisions",
        title=_("Refusals, suspensions and revocations"),
        article=_("Art. 6.1, 6.3(a)"),
        series=(
            Series("refused", _("Applications refused")),
            Series("suspended", _("Licences suspended")),
            Series("revoked", _("Licences revoked")),
        ),
        charted="refused",
        sum_month=decisions,
        breakdown=Breakdown(
            title=_("By ground"),
            heading=_("Ground"),
            rows=(*DecisionGround.choices, (UNRECORDED, _("Not recorded"))),
            columns=("refused", "suspended", "revoked"),
        ),
        notes=(
            _(
                "A suspension counts when it is decided, whether on one officer's decision or "
                "confirmed on another's proposal."
            ),
        ),
    )
)


# Inspections (Art. 6.3(e)): planned, carried out, overdue at the month's end; findings.


def inspections(since: dt.datetime, until: dt.datetime) -> Iterable[Item]:
    cut = min(until, timezone.now())
    overdue_by = timezone.localtime(cut).date()
    fields = (
        "licence__activities",
        "site__region",
        "inspector_id",
        "planned_on",
        "submitted_at",
    )
    rows = list(
        Inspection.objects.filter(
            Q(planned_on__gte=since.date(), planned_on__lt=until.date())
            | Q(submitted_at__gte=since, submitted_at__lt=until)
            | Q(planned_on__lt=overdue_by, submitted_at__isnull=True)
            | Q(planned_on__lt=overdue_by, submitted_at__gte=cut)
        ).values_list(*fields)
    )
    for activities, region, inspector, planned_on, submitted_at in rows:
        places = [region] if region else []
        if since.date() <= planned_on < until.date():
            yield "planned", activities or [], places, inspector, 1
        if submitted_at is not None and since <= submitted_at < until:
            yield "done", activities or [], places, inspector, 1
        if planned_on < overdue_by and (submitted_at is None or submitted_at >= cut):
            yield "overdue", activities or [], places, inspector, 1
    found = Finding.objects.filter(
        inspection__submitted_at__gte=since, inspection__submitted_at__lt=until
    ).values_list(
        "inspection__licence__activities",
        "inspection__site__region",
        "inspection__inspector_id",
        "severity",
    )
    for activities, region, inspector, severity in found:
        yield f"finding_{severity}", activities or [], [region] if region else [], inspector, 1


def _month_link(changelist: str, field: str) -> Link:
    """A link to ``changelist`` filtered to the month's range of the date ``field``."""

    def link(first: dt.date, following: dt.date, series: str) -> str:
        base = reverse(changelist)
        return f"{base}?{field}__gte={first.isoformat()}&{field}__lt={following.isoformat()}"

    return link


register(
    Figure(
        slug="inspections",
        title=_("Inspection coverage and findings"),
        article=_("Art. 6.3(e)"),
        series=(
            Series("planned", _("Planned in the month"), linked=True),
            Series("done", _("Carried out")),
            Series("overdue", _("Overdue at the month's end"), stock=True),
            *(
                Series(f"finding_{value}", format_lazy(_("Findings: {}"), label))
                for value, label in Severity.choices
            ),
        ),
        charted="planned",
        sum_month=inspections,
        link=_month_link("admin:inspections_inspection_changelist", "planned_on"),
        notes=(_("Findings are counted in the month their inspection was carried out."),),
    )
)


# Returns (Art. 9.1, 9.2): the periods due in the month, filed on time, late, or not yet.


def returns(since: dt.datetime, until: dt.datetime) -> Iterable[Item]:
    rows = list(
        ReturnPeriod.objects.filter(due_on__gte=since.date(), due_on__lt=until.date()).values_list(
            "licence_id", "licence__activities", "due_on", "filed_at"
        )
    )
    places = licence_regions({row[0] for row in rows})

    def series(due_on: dt.date, filed_at: dt.datetime | None) -> str:
        if filed_at is None:
            return "unfiled"
        return "late" if filed_late(filed_at, due_on) else "on_time"

    for licence, activities, due_on, filed_at in rows:
        yield "due", activities or [], places.get(licence, set()), None, 1
        yield series(due_on, filed_at), activities or [], places.get(licence, set()), None, 1


register(
    Figure(
        slug="returns",
        title=_("Returns filed on time"),
        article=_("Art. 9.1, 9.2"),
        series=(
            Series("due", _("Due in the month"), linked=True),
            Series("on_time", _("Filed on time")),
            Series("late", _("Filed late")),
            Series("unfiled", _("Not filed")),
        ),
        charted="due",
        sum_month=returns,
        link=_month_link("admin:returns_returnperiod_changelist", "due_on"),
    )
)


# Fees (Art. 6.3(c)): the payments recorded, by the month they were paid and the currency.


def fees(since: dt.datetime, until: dt.datetime) -> Iterable[Item]:
    rows = list(
        Payment.objects.filter(paid_on__gte=since.date(), paid_on__lt=until.date()).values_list(
            "invoice__application_id",
            "invoice__application__activities",
            "invoice__currency",
            "recorded_by_id",
            "amount",
        )
    )
    places = application_regions({row[0] for row in rows})
    for application, activities, currency, officer, amount in rows:
        yield currency, activities or [], places.get(application, set()), officer, amount


register(
    Figure(
        slug="fees",
        title=_("Fee revenue"),
        article=_("Art. 6.3(c)"),
        series=(Series(settings.FEE_CURRENCY, settings.FEE_CURRENCY),),
        charted=settings.FEE_CURRENCY,
        sum_month=fees,
        open_series=True,
        money=True,
        notes=(_("Payments as recorded, by the day they were paid, in each currency."),),
    )
)
