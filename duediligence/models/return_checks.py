"""The checks on each filed return (Art. 9.1, 10, 14.1(g), 21): what each check found in one
run on one version of a return, the article it enforces, its evidence, and the officer's
disposition of a flag. Written by ``duediligence.services.return_checks`` only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from duediligence.models.reviews import CheckOutcome, Disposition
from licensing.models.base import Record, choices_check


class ReturnCheckResult(Record):
    """One check's result in one run on one version of a return. ``run`` counts the runs on
    that version; the results of earlier runs are kept."""

    filed_return = models.ForeignKey(
        "returns.Return",
        on_delete=models.PROTECT,
        related_name="check_results",
        verbose_name=_("return"),
    )
    run = models.PositiveIntegerField(_("run"))
    code = models.CharField(_("check"), max_length=32)
    article = models.CharField(_("article"), max_length=64)
    outcome = models.CharField(_("result"), max_length=16, choices=CheckOutcome.choices)
    summary = models.TextField(_("summary"))
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    disposition = models.CharField(
        _("disposition"), max_length=8, choices=Disposition.choices, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("officer's reason"), blank=True)

    class Meta:
        verbose_name = _("return check result")
        verbose_name_plural = _("return check results")
        ordering = ("filed_return", "-run", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["filed_return", "run", "code"], name="one_return_result_per_run"
            ),
            choices_check("outcome", CheckOutcome, "return_check_outcome_valid"),
            choices_check("disposition", Disposition, "return_check_disposition_valid", blank=True),
        ]

    def __str__(self) -> str:
        return f"{self.code} #{self.run}: {self.outcome}"

    @property
    def is_flag(self) -> bool:
        return self.outcome in (CheckOutcome.FLAG, CheckOutcome.FAIL)
