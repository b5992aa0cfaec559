"""The report has no table of its own: it is computed from the other apps' records. This model
only carries its permission (a Django permission needs a content type) and names the kind of
record in the audit events of its downloads."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyReport(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        # Art. 20.3: confidential by default: senior officers and auditors (reports 0002).
        permissions = [("view_party_report", _("Can read the Party's aggregate report"))]
        verbose_name = _("Party's aggregate report")
        verbose_name_plural = _("Party's aggregate reports")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
