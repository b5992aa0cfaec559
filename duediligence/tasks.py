"""Due-diligence jobs: thin and idempotent, they call services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from duediligence.services import indexing, reviews

# A submitted application whose review job has not run this long was lost: the sweep reviews it.
UNREVIEWED_AFTER = dt.timedelta(minutes=10)
# A return whose check job has not run this long after filing was lost: the sweep checks it.
UNCHECKED_AFTER = dt.timedelta(minutes=10)


@shared_task(acks_late=True)
def review_submitted_application(*, application_id: int) -> int:
    """Art. 6.3(d): the review of a submitted application and its first run of checks. A
    second delivery finds the run done and does nothing; returns the review's run number."""
    indexing.index_party(_party_of(application_id))
    return reviews.run_first_checks(application_id=application_id).run


@shared_task(acks_late=True)
def review_unreviewed_applications() -> int:
    """The sweep (Art. 6.3(d)): open applications whose review job was lost (the broker down
    at the submission) get their review and first run of checks now. Returns how many."""
    ids = reviews.unreviewed_application_ids(UNREVIEWED_AFTER)
    for application_id in ids:
        review_submitted_application(application_id=application_id)
    return len(ids)


@shared_task(acks_late=True)
def index_party_keys(*, party_id: int) -> int:
    return indexing.index_party(party_id)


def _party_of(application_id: int) -> int:
    from licensing.models import Application

    return int(Application.objects.values_list("party_id", flat=True).get(pk=application_id))


@shared_task(acks_late=True)
def check_filed_return(return_id: int) -> int:
    """Art. 9.1: the checks on a return just filed, and on the returns that mirror it. A
    second delivery finds the version checked and does nothing; returns how many results."""
    from duediligence.services import return_checks
    from returns.models import Return

    if Return.objects.filter(pk=return_id, checked_at__isnull=False).exists():
        return 0
    return len(return_checks.check_return(return_id=return_id))


@shared_task(acks_late=True)
def check_unchecked_returns() -> int:
    """The sweep: returns filed more than ten minutes ago whose job was lost are checked
    now, in batches. Returns how many."""
    from duediligence.services import return_checks

    return return_checks.check_returns(return_checks.unchecked_returns(UNCHECKED_AFTER))


@shared_task(acks_late=True)
def keep_risk_scores(*, party_ids: list[int]) -> int:
    """The scores of parties whose review, return checks or seizures changed (issue 22).
    Safe to run twice; returns how many scores were kept."""
    from duediligence.services import risk_scores

    return risk_scores.keep(party_ids)


@shared_task(acks_late=True)
def sweep_risk_scores() -> int:
    """Daily: the scores of parties whose return fell due unfiled (Art. 9.1)."""
    from duediligence.services import risk_scores

    return risk_scores.sweep()
