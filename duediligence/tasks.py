"""Due-diligence jobs: thin and idempotent, they call services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from duediligence.services import indexing, reviews

# A return whose check job has not run this long after filing was lost: the sweep checks it.
UNCHECKED_AFTER = dt.timedelta(minutes=10)


@shared_task(acks_late=True)
def review_submitted_application(*, application_id: int) -> int:
    """Art. 6.3(d): the review of a submitted application and its first run of checks. A
    second delivery finds the run done and does nothing; returns the review's run number."""
    indexing.index_party(_party_of(application_id))
    return reviews.run_first_checks(application_id=application_id).run


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
