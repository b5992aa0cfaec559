"""Counts by state of the licences and the applications, kept as they change (issue 22: the
dashboard reads aggregates, not rows). On PostgreSQL, triggers on the two tables append rows
(+n, -n): an insert or a delete one per state of its statement (a bulk import adds a few rows,
not one per licence), a change of state two (-1, +1); an update that changes no state adds
nothing. No row is ever updated, so two transactions changing states never wait for each
other. ``licensing.tallies.compact`` folds the rows into one per state from time to
time; a count is the sum of its rows. Migration 0037 installs the triggers and counts what is
there. Elsewhere (SQLite on a laptop) nothing is kept and the dashboard counts the rows."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StateTally(models.Model):
    table = models.CharField(_("table"), max_length=40)
    state = models.CharField(_("state"), max_length=32)
    n = models.BigIntegerField(_("change in the count"))

    class Meta:
        verbose_name = _("state count change")
        verbose_name_plural = _("state count changes")
        default_permissions = ()
        indexes = [models.Index(fields=["table", "state"], name="state_tally_table_state")]

    def __str__(self) -> str:
        return f"{self.table} {self.state} {self.n:+d}"
