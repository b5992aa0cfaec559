"""What the portal reads of the returns: the periods of the parties a user acts for, a
period's versions, and a version's figures in the rows that the forms take."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.forms.models import model_to_dict

from licensing.models import Licence
from licensing.selectors import acting_parties
from returns.models import (
    Measure,
    PaymentMethod,
    PeriodStatus,
    Return,
    ReturnCounterpart,
    ReturnLine,
    ReturnPayment,
    ReturnPeriod,
    Role,
)
from returns.services.filing import ReturnData

# The portal stylesheet's tag colours, by status.
STATUS_TAGS = {
    PeriodStatus.UPCOMING: "draft",
    PeriodStatus.DUE: "information_requested",
    PeriodStatus.OVERDUE: "refused",
    PeriodStatus.FILED: "approved",
    PeriodStatus.FILED_LATE: "approved",
}


def portal_periods(user: Any) -> QuerySet[ReturnPeriod]:
    """The periods owed by the parties ``user`` acts for, and no others (``may_file``)."""
    return ReturnPeriod.objects.filter(party__in=acting_parties(user))


def portal_period(user: Any, period_id: int) -> ReturnPeriod | None:
    return portal_periods(user).select_related("licence", "party").filter(pk=period_id).first()


@dataclass
class PeriodRow:
    period: ReturnPeriod
    status: str
    label: str
    tag: str
    version: int | None

    @property
    def can_file(self) -> bool:
        return self.status != PeriodStatus.UPCOMING


@dataclass
class LicencePeriods:
    licence: Licence
    rows: list[PeriodRow]


def period_row(period: ReturnPeriod, version: int | None = None) -> PeriodRow:
    status = period.status()
    return PeriodRow(
        period=period,
        status=status,
        label=str(PeriodStatus(status).label),
        tag=STATUS_TAGS[PeriodStatus(status)],
        version=version,
    )


def periods_by_licence(user: Any, licence_public_id: Any = None) -> list[LicencePeriods]:
    """The user's periods, newest first, grouped by licence (licences by number)."""
    periods = portal_periods(user).select_related("licence").order_by("-starts_on", "pk")
    if licence_public_id is not None:
        periods = periods.filter(licence__public_id=licence_public_id)
    latest: dict[int, int] = {}
    for period_id, version in Return.objects.filter(period__in=periods).values_list(
        "period_id", "version"
    ):
        latest[period_id] = max(version, latest.get(period_id, 0))
    groups: dict[int, LicencePeriods] = {}
    for period in periods:
        group = groups.setdefault(period.licence_id, LicencePeriods(period.licence, []))
        group.rows.append(period_row(period, latest.get(period.pk)))
    return sorted(groups.values(), key=lambda group: str(group.licence.number))


def versions(period: ReturnPeriod) -> QuerySet[Return]:
    return period.returns.select_related("filed_by").order_by("-version")


def current_return(period: ReturnPeriod) -> Return | None:
    return period.returns.order_by("-version").first()


def _fields(model: type[Any]) -> list[str]:
    skip = {"id", "filed_return", "created_at", "updated_at"}
    return [f.name for f in model._meta.concrete_fields if f.name not in skip]


def data_of(filed: Return) -> ReturnData:
    """A filed version's rows as the forms take them: a correction starts from these."""

    def rows(records: Iterable[Any], model: type[Any]) -> list[dict[str, Any]]:
        names = _fields(model)
        return [model_to_dict(record, fields=names) for record in records]

    return ReturnData(
        lines=rows(filed.lines.all(), ReturnLine),
        counterparts=rows(filed.counterparts.all(), ReturnCounterpart),
        payments=rows(filed.payments.all(), ReturnPayment),
    )


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def figures(data: ReturnData) -> dict[str, list[dict[str, Any]]]:
    """The rows of ``data`` with their codes named, for the pages that show them."""
    from licensing.models.sites import ProductType

    def named(row: dict[str, Any]) -> dict[str, Any]:
        shown = dict(row)
        if "product_type" in row:
            shown["product_type_label"] = _label(ProductType, row["product_type"])
            shown["measure_label"] = _label(Measure, row.get("measure"))
        if "role" in row:
            shown["role_label"] = _label(Role, row["role"])
        if "method" in row:
            shown["method_label"] = _label(PaymentMethod, row["method"])
        return shown

    return {
        "lines": [named(row) for row in data.lines],
        "counterparts": [named(row) for row in data.counterparts],
        "payments": [named(row) for row in data.payments],
    }
