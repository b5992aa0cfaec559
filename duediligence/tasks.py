"""Due-diligence jobs: thin and idempotent, they call services."""

from __future__ import annotations

from celery import shared_task

from duediligence.services import indexing, reviews


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
