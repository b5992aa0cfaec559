"""Every call a partner makes (Art. 21: what was disclosed, to whom and when)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models.clients import PartnerClient
from licensing.models.audit import AppendOnly


class ApiCall(AppendOnly):
    """One row per authenticated call: the client, the endpoint, the answer's status and the ids
    of the records it returned or wrote. Inserted once, never changed (``AppendOnly``)."""

    at = models.DateTimeField(_("at"), default=timezone.now)
    client = models.ForeignKey(
        PartnerClient, on_delete=models.PROTECT, related_name="calls", verbose_name=_("partner")
    )
    method = models.CharField(_("method"), max_length=8)
    endpoint = models.CharField(_("endpoint"), max_length=300)
    status = models.PositiveSmallIntegerField(_("status"))
    object_ids = models.JSONField(_("records returned"), default=list, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")
        ordering = ("-at", "-pk")
        indexes = [models.Index(fields=["client", "-at"], name="api_call_client_at")]

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint} {self.status}"
