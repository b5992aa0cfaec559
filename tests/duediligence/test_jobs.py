"""The review job of a submitted application, run by a real Celery worker on Redis: the second
delivery changes nothing. The sweep reviews an application whose job was lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from duediligence.models import CheckResult, Review
from duediligence.tasks import review_submitted_application, review_unreviewed_applications
from tests.factories import ApplicationFactory
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


@pytest.mark.django_db
def test_the_sweep_reviews_an_open_application_whose_job_was_lost(time_machine):
    # Art. 6.3(d): the job sent on submission never ran (the broker was down): no review yet.
    lost = ready_application()
    ApplicationFactory()  # a draft: nothing to review
    ApplicationFactory(approved=True)  # decided: its review is closed, not opened now
    assert review_unreviewed_applications.delay().get() == 0  # its job may still be on its way
    assert not Review.objects.exists()

    time_machine.move_to(timezone.now() + dt.timedelta(minutes=11), tick=False)
    assert review_unreviewed_applications.delay().get() == 1
    review = Review.objects.get()
    assert (review.application, review.run) == (lost, 1)
    assert CheckResult.objects.filter(review=review).count() == 8
    assert review_unreviewed_applications.delay().get() == 0  # a second sweep: nothing left
