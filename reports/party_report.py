"""The Party's aggregate report (Art. 20.1, 32): for a period, the licensing figures, the
import, export and production quantities the licensees returned (Art. 20.1(b)), and the
seizures in aggregate (Art. 20.1(a): kind, quantity, value, product descriptions, places).

Each section is a table (a title, its column headings, its rows): the admin's preview, the
CSV and the XLSX are drawn from the same tables. Every figure is an aggregate query, one per
table; no row of a licensee or a seizure leaves this module. Confidential by default (Art.
20.3): ``may_read`` is the permission every door checks."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from licensing.models import AuditEvent, Licence, LicenceState, Verb
from licensing.models.activities import Activity
from licensing.models.sites import ProductType
from reports.case_flow import instant
from returns.export import current_returns
from returns.models import Measure, ReturnLine, ReturnPeriod
from seizures.models import CaseOrigin, ItemKind, SeizedItem, SeizureCase, Unit

PERMISSION = "reports.view_party_report"
# The longest list of product descriptions and places a report shows: the most frequent.
TOP = 50


def may_read(user: Any) -> bool:
    return bool(user.is_active and user.has_perm(PERMISSION))


@dataclass
class Table:
    key: str
    title: str
    article: str
    headings: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""


@dataclass
class Report:
    starts_on: dt.date
    ends_on: dt.date
    made_at: dt.datetime
    tables: list[Table]

    @property
    def empty(self) -> bool:
        return not any(table.rows for table in self.tables)


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value)) if value else ""


def licences_by_activity() -> Table:
    """Licences held today by activity and state: one grouped count over the (few) distinct
    combinations of activities, expanded here."""
    states = list(LicenceState)
    counts: dict[str, Counter[str]] = {code: Counter() for code in Activity.values}
    for row in Licence.objects.values("activities", "state").annotate(n=Count("pk")).order_by():
        for code in row["activities"] or []:
            counts.setdefault(code, Counter())[row["state"]] += row["n"]
    rows = [
        [_label(Activity, code), *(tally[s] for s in states), sum(tally.values())]
        for code, tally in counts.items()
        if tally
    ]
    return Table(
        "licences",
        _("Licences by activity and state"),
        _("Art. 6.1, 6.2, 20.1"),
        [_("Activity"), *(str(s.label) for s in states), _("Total")],
        rows,
        note=_(
            "On the day the report was made; a licence with several activities counts under each."
        ),
    )


def licensing_decisions(starts_on: dt.date, ends_on: dt.date) -> Table:
    """Licences issued, renewed, suspended and revoked in the period, from the audit trail's
    events on licences (its ``at`` index)."""
    since, until = _bounds(starts_on, ends_on)
    licences = Licence.objects.filter(issued_at__gte=since, issued_at__lt=until)
    issued = licences.aggregate(
        new=Count("pk", filter=Q(predecessor__isnull=True, legacy_import__isnull=True)),
        transferred=Count("pk", filter=Q(predecessor__isnull=False)),
    )
    verbs = dict(
        AuditEvent.objects.filter(
            content_type__app_label="licensing",
            content_type__model="licence",
            verb__in=[Verb.RENEWED, Verb.SUSPENDED, Verb.REVOKED],
            at__gte=since,
            at__lt=until,
        )
        .values_list("verb")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [
        [_("New licences issued"), issued["new"]],
        [_("Licences issued to a transferee"), issued["transferred"]],
        [_("Licences renewed"), verbs.get(Verb.RENEWED, 0)],
        [_("Licences suspended"), verbs.get(Verb.SUSPENDED, 0)],
        [_("Licences revoked"), verbs.get(Verb.REVOKED, 0)],
    ]
    return Table(
        "decisions",
        _("Licensing decisions in the period"),
        _("Art. 6, 20.1"),
        [_("Figure"), _("Number")],
        rows if any(n for _label_, n in rows) else [],
    )


def trade(starts_on: dt.date, ends_on: dt.date) -> Table:
    """Art. 20.1(b): production, import and export by product type, from the current version
    of each return whose period lies within the report's."""
    periods = ReturnPeriod.objects.filter(starts_on__gte=starts_on, ends_on__lte=ends_on)
    rows = (
        ReturnLine.objects.filter(filed_return__in=current_returns(periods))
        .values("product_type", "measure")
        .annotate(produced=Sum("produced"), imported=Sum("imported"), exported=Sum("exported"))
        .order_by("product_type", "measure")
    )
    return Table(
        "trade",
        _("Production, import and export by product type"),
        _("Art. 20.1(b)"),
        [_("Product type"), _("Measure"), _("Produced"), _("Imported"), _("Exported")],
        [
            [
                _label(ProductType, row["product_type"]),
                _label(Measure, row["measure"]),
                row["produced"],
                row["imported"],
                row["exported"],
            ]
            for row in rows
        ],
        note=_("From the latest version of each periodic return for a period within the report's."),
    )


def _seized(starts_on: dt.date, ends_on: dt.date) -> Any:
    # The authority's own seizures: a case received from another Party is that Party's figure.
    return SeizedItem.objects.filter(
        case__origin=CaseOrigin.OWN, case__seized_on__gte=starts_on, case__seized_on__lte=ends_on
    )


def seizures_by_kind(starts_on: dt.date, ends_on: dt.date) -> Table:
    rows = (
        _seized(starts_on, ends_on)
        .values("kind", "product_type", "unit")
        .annotate(items=Count("pk"), quantity=Sum("quantity"))
        .order_by("kind", "product_type", "unit")
    )
    return Table(
        "seizures",
        _("Seizures by kind of item"),
        _("Art. 20.1(a)"),
        [_("Kind"), _("Product type"), _("Unit"), _("Items"), _("Quantity")],
        [
            [
                _label(ItemKind, row["kind"]),
                _label(ProductType, row["product_type"]),
                _label(Unit, row["unit"]),
                row["items"],
                row["quantity"],
            ]
            for row in rows
        ],
    )


def seizure_values(starts_on: dt.date, ends_on: dt.date) -> Table:
    rows = (
        _seized(starts_on, ends_on)
        .exclude(value__isnull=True)
        .values("currency")
        .annotate(items=Count("pk"), value=Sum("value"))
        .order_by("currency")
    )
    return Table(
        "values",
        _("Estimated value of the seizures"),
        _("Art. 20.1(a)"),
        [_("Currency"), _("Items valued"), _("Estimated value")],
        [[row["currency"] or "-", row["items"], row["value"] or Decimal(0)] for row in rows],
    )


def seizure_descriptions(starts_on: dt.date, ends_on: dt.date) -> Table:
    rows = (
        _seized(starts_on, ends_on)
        .exclude(kind__in=[ItemKind.CASH, ItemKind.OTHER])
        .values("kind", "product_type", "brand", "unit")
        .annotate(items=Count("pk"), quantity=Sum("quantity"))
        .order_by("-items", "kind", "product_type", "brand", "unit")[:TOP]
    )
    return Table(
        "descriptions",
        _("Product descriptions"),
        _("Art. 20.1(a)"),
        [_("Kind"), _("Product type"), _("Brand"), _("Items"), _("Quantity"), _("Unit")],
        [
            [
                _label(ItemKind, row["kind"]),
                _label(ProductType, row["product_type"]),
                row["brand"],
                row["items"],
                row["quantity"],
                _label(Unit, row["unit"]),
            ]
            for row in rows
        ],
        note=_("The %(top)s most frequent, by number of items.") % {"top": TOP},
    )


def seizure_places(starts_on: dt.date, ends_on: dt.date) -> Table:
    rows = (
        SeizureCase.objects.filter(
            origin=CaseOrigin.OWN, seized_on__gte=starts_on, seized_on__lte=ends_on
        )
        .values("place")
        .annotate(cases=Count("pk", distinct=True), items=Count("items"))
        .order_by("-cases", "place")[:TOP]
    )
    return Table(
        "places",
        _("Places of seizure"),
        _("Art. 20.1(a)"),
        [_("Place"), _("Seizures"), _("Items")],
        [[row["place"], row["cases"], row["items"]] for row in rows],
        note=_("The %(top)s most frequent, by number of seizures.") % {"top": TOP},
    )


def _bounds(starts_on: dt.date, ends_on: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period's days as instants in the authority's time zone: [start, the day after end)."""
    return instant(starts_on), instant(ends_on + dt.timedelta(days=1))


def party_report(*, starts_on: dt.date, ends_on: dt.date) -> Report:
    """The report for the days ``starts_on`` to ``ends_on``, both included (the form has
    checked them). Reads only; the caller has checked ``may_read``."""
    return Report(
        starts_on=starts_on,
        ends_on=ends_on,
        made_at=timezone.now(),
        tables=[
            licences_by_activity(),
            licensing_decisions(starts_on, ends_on),
            trade(starts_on, ends_on),
            seizures_by_kind(starts_on, ends_on),
            seizure_values(starts_on, ends_on),
            seizure_descriptions(starts_on, ends_on),
            seizure_places(starts_on, ends_on),
        ],
    )
