"""What every record of the authority shares: timestamps, and that it is never deleted."""

from __future__ import annotations

from typing import Any

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
