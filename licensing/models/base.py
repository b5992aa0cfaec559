"""What every record of the authority shares: timestamps, and that it is never deleted."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import RecordsAreKept


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
