"""The due-diligence review of an application (Art. 6.3(d), 7): the results of its automated
checks, run after run, and the officer's judgement on each flag.

The FSM methods state the graph only; ``duediligence.services.reviews`` is the one door."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from licensing.exceptions import DomainError
from licensing.models.base import Record, choices_check
from licensing.transitions import explained


class ReviewState(models.TextChoices):
    OPEN = "open", _("open")
    COMPLETED = "completed", _("completed")


class CheckOutcome(models.TextChoices):
    PASS = "pass", _("pass")
    FLAG = "flag", _("flag")
    FAIL = "fail", _("fail")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


class Disposition(models.TextChoices):
    CLEARED = "cleared", _("cleared")
    UPHELD = "upheld", _("upheld")


class DispositionMissing(DomainError):
    default_message = _("Clear or uphold every flag of the latest run first.")


def reviewer(review: Any, user: Any) -> bool:
    return bool(user.has_perm("duediligence.conduct_review"))


@explained(DispositionMissing)
def every_flag_decided(review: Any) -> bool:
    return not review.open_flags().exists()


class Review(FSMModelMixin, Record):
    """One per application, opened when it is submitted. ``run`` counts the runs of the checks;
    the results of earlier runs are kept."""

    application = models.OneToOneField(
        "licensing.Application",
        on_delete=models.PROTECT,
        related_name="due_diligence",
        verbose_name=_("application"),
    )
    state = FSMField(
        _("state"),
        default=ReviewState.OPEN,
        choices=ReviewState.choices,
        protected=True,
        db_index=True,
    )
    run = models.PositiveIntegerField(_("run"), default=0)
    last_run_at = models.DateTimeField(_("checks last run at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )

    class Meta:
        verbose_name = _("due-diligence review")
        verbose_name_plural = _("due-diligence reviews")
        ordering = ("-created_at", "-pk")
        permissions = [
            ("conduct_review", _("Can run due-diligence checks and clear or uphold flags")),
        ]
        constraints = [choices_check("state", ReviewState, "review_state_valid")]

    def __str__(self) -> str:
        return str(_("Due diligence of %(application)s") % {"application": self.application})

    def latest_results(self) -> models.QuerySet[CheckResult]:
        return self.results.filter(run=self.run)

    def open_flags(self) -> models.QuerySet[CheckResult]:
        return self.latest_results().filter(
            outcome__in=[CheckOutcome.FLAG, CheckOutcome.FAIL], disposition=""
        )

    @transition(
        field=state,
        source=ReviewState.OPEN,
        target=ReviewState.COMPLETED,
        permission=reviewer,
        conditions=[every_flag_decided],
        custom={"label": _("Complete the review")},
    )
    def complete(self) -> None:
        pass

    @transition(
        field=state,
        source=ReviewState.COMPLETED,
        target=ReviewState.OPEN,
        permission=reviewer,
        custom={"label": _("Reopen the review")},
    )
    def reopen(self) -> None:
        pass


class CheckResult(Record):
    """What one check found in one run: its outcome, the article it enforces, its evidence
    (structured, and a sentence an officer reads), and the officer's disposition of a flag."""

    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, related_name="results", verbose_name=_("review")
    )
    run = models.PositiveIntegerField(_("run"))
    code = models.CharField(_("check"), max_length=32)
    article = models.CharField(_("article"), max_length=64)
    outcome = models.CharField(_("result"), max_length=16, choices=CheckOutcome.choices)
    critical = models.BooleanField(_("critical"), default=False)
    summary = models.TextField(_("summary"))
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    ran_at = models.DateTimeField(_("ran at"))
    disposition = models.CharField(
        _("disposition"), max_length=8, choices=Disposition.choices, blank=True
    )
    disposition_comment = models.TextField(_("officer's comment"), blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    disposed_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("check result")
        verbose_name_plural = _("check results")
        ordering = ("review", "-run", "pk")
        constraints = [
            models.UniqueConstraint(fields=["review", "run", "code"], name="one_result_per_run"),
            choices_check("outcome", CheckOutcome, "check_outcome_valid"),
            choices_check("disposition", Disposition, "check_disposition_valid", blank=True),
        ]

    def __str__(self) -> str:
        return f"{self.code} #{self.run}: {self.outcome}"

    @property
    def is_flag(self) -> bool:
        return self.outcome in (CheckOutcome.FLAG, CheckOutcome.FAIL)
