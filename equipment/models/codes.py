"""Machine identifier codes of the EU tracking-and-tracing system (Reg. (EU) 2018/574 Art. 18,
19; Protocol Art. 8), issued by the authority as ID issuer with the same prefix and pool as the
operator and facility codes of ``licensing.models.identifiers``. docs/identifiers.md."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from equipment.models.machines import Machine
from licensing.models.identifiers import FacilityCode, IdentifierCode, OperatorCode


class MachineCode(IdentifierCode):
    """Art. 19(1)-(3): the machine identifier code (M_ID) of a registered machine, linked to
    the operator code of its holder and the facility code of its site (Annex II 1.7: EO_ID,
    F_ID). A confirmed change of custody re-links it (a correction, 1-8); the deactivation of
    either linked code deactivates it (Art. 15(4), 17(4))."""

    machine = models.ForeignKey(
        Machine, on_delete=models.PROTECT, related_name="codes", verbose_name=_("machine")
    )
    operator = models.ForeignKey(
        OperatorCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="machine_codes",
        verbose_name=_("economic operator code"),
    )
    facility = models.ForeignKey(
        FacilityCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="machine_codes",
        verbose_name=_("facility code"),
    )

    class Meta:
        verbose_name = _("machine identifier code")
        verbose_name_plural = _("machine identifier codes")
        ordering = ("-issued_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["machine"], condition=models.Q(active=True), name="one_active_machine_code"
            ),
            models.CheckConstraint(
                condition=models.Q(active=True, deactivated_at__isnull=True)
                | models.Q(active=False, deactivated_at__isnull=False),
                name="machine_code_deactivated_at",
                violation_error_message=_("A deactivated code needs a deactivation time."),
            ),
        ]
