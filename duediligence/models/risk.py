"""Each party's risk score as last computed (``duediligence.services.risk.party_risk``), kept
so that the management page can count the register by score band without computing a million
scores (issue 22). A derived figure, not a record: it is rewritten whenever what makes it
changes (``duediligence.services.risk_scores``) and may be rebuilt at any time."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyRiskScore(models.Model):
    party = models.OneToOneField(
        "licensing.Party",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="kept_risk_score",
        verbose_name=_("party"),
    )
    score = models.PositiveIntegerField(_("risk score"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("party risk score")
        verbose_name_plural = _("party risk scores")

    def __str__(self) -> str:
        return f"{self.party_id}: {self.score}"
