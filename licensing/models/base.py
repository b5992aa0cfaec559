"""What every record of the authority shares: timestamps, and that it is never deleted."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import RecordsAreKept


def choices_check(
    field_name: str,
    choices: type[models.Choices] | Iterable[str],
    name: str,
    *,
    blank: bool = False,
) -> models.CheckConstraint:
    """A CHECK constraint holding a state column to its choices, so that no raw UPDATE, bulk
    write or bug outside the services can put a record into a state its state machine does not
    know (ASVS V2.2.1: an allow list of values). ``blank`` also allows "" for a column that may
    be unset. tests/licensing/test_db_constraints.py keeps every state column and its
    constraint in step."""
    values = list(choices.values if isinstance(choices, type) else choices)
    if blank:
        values.append("")
    return models.CheckConstraint(
        condition=models.Q(**{f"{field_name}__in": values}),
        name=name,
        violation_error_message=_("The state is not one of the allowed values."),
    )


def ordered_check(
    earlier: str, later: str, name: str, *, open_start: bool = False, open_end: bool = False
) -> models.CheckConstraint:
    """A CHECK constraint that ``earlier`` <= ``later``: a period never ends before it starts
    (ASVS V2.2.3: related data items are consistent).
    ``open_start``/``open_end``: the column may be NULL (not known, or a period still open)."""
    condition = models.Q(**{f"{earlier}__lte": models.F(later)})
    if open_end:
        condition |= models.Q(**{f"{later}__isnull": True})
    if open_start:
        condition |= models.Q(**{f"{earlier}__isnull": True})
    return models.CheckConstraint(
        condition=condition,
        name=name,
        violation_error_message=_("The period ends before it begins."),
    )


def positive_check(
    field_name: str, name: str, *, allow_zero: bool = False, optional: bool = False
) -> models.CheckConstraint:
    """A CHECK constraint that an amount or quantity is more than zero (``allow_zero``: not
    negative, for a fee or an invoice that may be free). ``optional``: NULL passes."""
    condition = models.Q(**{f"{field_name}__{'gte' if allow_zero else 'gt'}": 0})
    if optional:
        condition |= models.Q(**{f"{field_name}__isnull": True})
    message = (
        _("The amount cannot be negative.")
        if allow_zero
        else _("The amount must be more than zero.")
    )
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


class KeptQuerySet(models.QuerySet):
    def delete(self) -> tuple[int, dict[str, int]]:
        # Art. 9.5(a): records are kept at least four years; here they are never deleted.
        raise RecordsAreKept()


class Record(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = KeptQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RecordsAreKept()


class EndableQuerySet(KeptQuerySet):
    """Records that an applicant may stop using. Ending one is how it is "removed": the row is
    kept (Art. 9.5(a)) and only the current ones count as the party's data."""

    def current(self) -> EndableQuerySet:
        return self.filter(ended_at__isnull=True)

    def current_first(self) -> EndableQuerySet:
        """Current rows first, then the ended ones, most recently ended first."""
        return self.order_by(models.F("ended_at").desc(nulls_first=True), "pk")


EndableManager = models.Manager.from_queryset(EndableQuerySet)


class EndableRecord(Record):
    ended_at = models.DateTimeField(_("no longer in use since"), null=True, blank=True)

    objects: ClassVar[EndableManager] = EndableManager()

    class Meta:
        abstract = True
