"""The review job of a submitted application, run by a real Celery worker on Redis: the second
delivery changes nothing."""

from __future__ import annotations

import pytest

from duediligence.models import CheckResult, Review
from duediligence.tasks import review_submitted_application
from tests.factories.duediligence import ready_application


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_reviews_a_submitted_application_once(celery_worker):
    application = ready_application()
    assert review_submitted_application.delay(application_id=application.pk).get(timeout=30) == 1
    assert review_submitted_application.delay(application_id=application.pk).get(timeout=30) == 1
    review = Review.objects.get(application=application)
    assert review.run == 1
    assert CheckResult.objects.filter(review=review).count() == 8
