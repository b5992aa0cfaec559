"""The one door for every change to a due-diligence review: opening it, running its checks,
the officer's disposition of each flag, completing it (Art. 6.3(d), 7)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from duediligence.checks import CHECKS, check_for
from duediligence.models import CheckOutcome, CheckResult, Disposition, Review, ReviewState
from duediligence.services.rescoring import rescore_after_commit
from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed
from licensing.models import Application, AuditEvent, Verb
from licensing.models.applications import OPEN_STATES
from licensing.selectors import visible_applications
from licensing.services.audit import record_event
from licensing.services.common import locked, require_reason, run_transition


def may_review(user: Any, application_id: int) -> bool:
    """Object level: the officer conducts reviews and may see this application."""
    return bool(user.has_perm("duediligence.conduct_review")) and (
        visible_applications(user).filter(pk=application_id).exists()
    )


def _ensure_reviewer(user: Any, application_id: int) -> None:
    if user is not None and not may_review(user, application_id):
        raise PermissionDenied()


def rerun_blockers(review: Review, user: Any) -> list[DomainError]:
    """Why ``user`` may not run the checks again now (the admin draws it, the service raises
    it): no permission on this application, or the application is no longer open."""
    if not may_review(user, review.application_id):
        return [PermissionDenied()]
    if review.application.state not in OPEN_STATES:
        return [TransitionNotAllowed()]
    return []


def flag_blockers(result: CheckResult, user: Any) -> list[DomainError]:
    """Why ``user`` may not clear or uphold this result now: permission, a review that is not
    open, a result of an earlier run, or a result that is not a flag."""
    review = result.review
    if not may_review(user, review.application_id):
        return [PermissionDenied()]
    if review.state != ReviewState.OPEN or result.run != review.run or not result.is_flag:
        return [TransitionNotAllowed()]
    return []


@transaction.atomic
def open_review(*, application_id: int) -> tuple[Review, bool]:
    """The application's review, opened if it has none (a second call changes nothing)."""
    application = locked(Application, application_id)
    review = Review.objects.filter(application=application).first()
    if review is not None:
        return review, False
    return Review.objects.create(application=application), True


def _run(review: Review, *, by: Any) -> int:
    """Every check once more, as run ``review.run + 1``. A flag whose evidence is what the
    officer already decided in the previous run keeps that decision; any other flag is new and
    reopens a completed review. The caller holds the review's lock."""
    previous = {result.code: result for result in review.latest_results()}
    review.run += 1
    now = timezone.now()
    application = review.application
    new_flags: list[str] = []
    for check in CHECKS:
        # The stored summary is read by officers: in the authority's language, whoever (an
        # applicant's request in Hungarian, a job) caused the run.
        with translation.override(settings.LANGUAGE_CODE):
            finding = check.run(application)
        result = CheckResult(
            review=review,
            run=review.run,
            code=check.code,
            article=check.article,
            outcome=finding.outcome,
            critical=check.critical,
            summary=finding.summary,
            evidence=finding.evidence,
            ran_at=now,
        )
        before = previous.get(check.code)
        if result.is_flag:
            if (
                before is not None
                and before.disposition
                and before.outcome == result.outcome
                and before.evidence == result.evidence
            ):
                result.disposition = before.disposition
                result.disposition_comment = before.disposition_comment
                result.disposed_by_id = before.disposed_by_id
                result.disposed_at = before.disposed_at
            else:
                new_flags.append(check.code)
        result.save()
    review.last_run_at = now
    review.save(update_fields=["run", "last_run_at", "updated_at"])
    record_event(
        review,
        verb=Verb.CHECKS_RUN,
        by=by,
        changes={"run": review.run, "new_flags": new_flags},
    )
    rescore_after_commit([application.party_id])  # the latest review makes the score
    if new_flags and review.state == ReviewState.COMPLETED:
        run_transition(review, "reopen", by=None, actor=by, verb=Verb.REVIEW_REOPENED)
        review.completed_at = None
        review.completed_by = None
        review.save(update_fields=["completed_at", "completed_by", "updated_at"])
    return review.run


def unreviewed_application_ids(older_than: dt.timedelta, *, limit: int = 500) -> list[int]:
    """Open applications submitted longer than ``older_than`` ago whose checks never ran: the
    job sent on submission was lost (Redis down then, or restarted without its queue). The
    longest waiting first; a range of the index on (state, submitted_at)."""
    cutoff = timezone.now() - older_than
    return list(
        Application.objects.filter(state__in=OPEN_STATES, submitted_at__lt=cutoff)
        .filter(Q(due_diligence__isnull=True) | Q(due_diligence__run=0))
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def run_first_checks(*, application_id: int) -> Review:
    """On submission (a job): open the review and run the checks once. Idempotent: a second
    delivery finds the first run done and changes nothing."""
    review, _ = open_review(application_id=application_id)
    review = locked(Review, review.pk)
    if review.run == 0:
        _run(review, by=None)
    return review


@transaction.atomic
def rerun_checks(*, review_id: int, by: Any) -> Review:
    """An officer runs every check again after the applicant changed something. Officers who
    conduct reviews and may see the application; only while the application is open."""
    review = locked(Review, review_id)
    found = rerun_blockers(review, by)
    if found:
        raise found[0]
    _run(review, by=by)
    return review


@transaction.atomic
def decide_flag(*, result_id: int, by: Any, disposition: str, comment: str) -> CheckResult:
    """An officer clears or upholds a flag of the latest run, with a comment (Art. 6.3(d)).
    Audited on the review; a decision can be changed while the review is open."""
    result = CheckResult.objects.select_related("review").get(pk=result_id)
    review = locked(Review, result.review_id)
    result = CheckResult.objects.select_for_update().get(pk=result_id)
    result.review = review
    found = flag_blockers(result, by)
    if found:
        raise found[0]
    comment = require_reason(comment)
    if disposition not in Disposition.values:
        raise TransitionNotAllowed()
    result.disposition = disposition
    result.disposition_comment = comment
    result.disposed_by = by
    result.disposed_at = timezone.now()
    result.save(
        update_fields=[
            "disposition",
            "disposition_comment",
            "disposed_by",
            "disposed_at",
            "updated_at",
        ]
    )
    record_event(
        review,
        verb=Verb.FLAG_UPHELD if disposition == Disposition.UPHELD else Verb.FLAG_CLEARED,
        by=by,
        reason=comment,
        changes={"check": result.code, "run": result.run},
    )
    rescore_after_commit([review.application.party_id])
    return result


@transaction.atomic
def complete_review(*, review_id: int, by: Any) -> Review:
    """The officer's judgement is done: every flag of the latest run cleared or upheld."""
    review = locked(Review, review_id)
    _ensure_reviewer(by, review.application_id)
    run_transition(
        review, "complete", by=by, verb=Verb.REVIEW_COMPLETED, extra_fields=("completed_at",)
    )
    review.completed_at = timezone.now()
    review.completed_by = by
    review.save(update_fields=["completed_at", "completed_by", "updated_at"])
    return review


def review_open_applications() -> int:
    """Open and run the review of every open application that has none (after the demo is
    loaded, or when due diligence is installed on existing data). The keys first."""
    from duediligence.services.indexing import index_everything

    index_everything()
    count = 0
    pending = Application.objects.filter(state__in=OPEN_STATES, due_diligence__isnull=True)
    for application_id in pending.values_list("pk", flat=True):
        run_first_checks(application_id=application_id)
        count += 1
    return count


@dataclass(frozen=True)
class Contribution:
    code: str
    label: str
    article: str
    outcome: str
    outcome_label: str
    critical: bool
    disposition: str
    disposition_label: str
    weight: int
    points: int


def risk_score(review: Review) -> tuple[int, list[Contribution]]:
    """The score that explains itself: each check of the latest run adds its weight
    (``DUE_DILIGENCE_WEIGHTS``) when it flagged or failed and the flag was not cleared."""
    rows = []
    for result in review.latest_results():
        check = check_for(result.code)
        weight = int(settings.DUE_DILIGENCE_WEIGHTS.get(result.code, 0))
        counts = result.is_flag and result.disposition != Disposition.CLEARED
        rows.append(
            Contribution(
                code=result.code,
                label=str(check.label) if check else result.code,
                article=result.article,
                outcome=result.outcome,
                outcome_label=str(result.get_outcome_display()),
                critical=result.critical,
                disposition=result.disposition,
                disposition_label=str(result.get_disposition_display()),
                weight=weight,
                points=weight if counts else 0,
            )
        )
    return sum(row.points for row in rows), rows


def review_trail(review: Review) -> Any:
    return AuditEvent.objects.for_object(review).order_by("at", "pk")


def reviews_on_trail(application: Any, viewer: Any) -> QuerySet[Review]:
    """The review whose events (checks run, flags cleared or upheld, completed) the
    application's audit trail shows too (``licensing.trail.audit_trail``): to officers who
    may see reviews, as the review's own page."""
    if not viewer.has_perm("duediligence.view_review"):
        return Review.objects.none()
    return Review.objects.filter(application_id=application.pk)


__all__ = [
    "CheckOutcome",
    "complete_review",
    "decide_flag",
    "open_review",
    "rerun_checks",
    "review_open_applications",
    "risk_score",
    "run_first_checks",
]
