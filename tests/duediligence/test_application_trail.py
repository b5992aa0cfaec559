"""The application's audit trail in the admin carries its due-diligence review's events (checks
run, flags cleared or upheld, review completed) for the officers who may see reviews, rendered
as every other event; the applicant's timeline does not."""

from __future__ import annotations

import pytest
from django.urls import reverse

from duediligence.services import reviews as services
from licensing.models import Verb
from licensing.services import applications as app_services
from licensing.trail import audit_trail
from tests.factories import CriminalRecordDeclarationFactory
from tests.factories.duediligence import ready_application
from tests.licensing.test_audit_trail_page import trail_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(officer):
    """An application in review whose flag an officer upheld and whose review is complete."""
    application = ready_application()
    director = application.party.persons.get()
    CriminalRecordDeclarationFactory(
        party=application.party, person=director, has_convictions=True, details="2019: fraud."
    )
    review = services.run_first_checks(application_id=application.pk)
    app_services.start_review(application_id=application.pk, by=officer)
    flag = review.open_flags().get()
    services.decide_flag(
        result_id=flag.pk, by=officer, disposition="upheld", comment="Conviction within 5 years."
    )
    services.complete_review(review_id=review.pk, by=officer)
    return application


def test_the_application_trail_shows_its_due_diligence_events(client, officer, reviewed):
    client.force_login(officer)
    _head, rows = trail_rows(client, reviewed)
    verbs = [verb for verb, _cells in rows]
    assert verbs == [
        Verb.CHECKS_RUN,
        Verb.REVIEW_STARTED,
        Verb.FLAG_UPHELD,
        Verb.REVIEW_COMPLETED,
    ]
    cells = dict(rows)
    # The verb, and the record it is about when not the application itself.
    assert cells[Verb.FLAG_UPHELD][2] == "due-diligence flag upheld due-diligence review"
    assert cells[Verb.REVIEW_STARTED][2] == "review started"
    assert cells[Verb.FLAG_UPHELD][4] == "Conviction within 5 years."
    assert cells[Verb.FLAG_UPHELD][5].splitlines() == ["check: criminal_records", "run: 1"]
    # The review's states by their labels, as the application's.
    assert cells[Verb.REVIEW_COMPLETED][3] == "open → completed"
    assert cells[Verb.REVIEW_STARTED][3] == "submitted → in review"


def test_officers_who_may_not_see_reviews_see_no_review_events(client, registrar, reviewed):
    client.force_login(registrar)
    _head, rows = trail_rows(client, reviewed)
    assert [verb for verb, _cells in rows] == [Verb.REVIEW_STARTED]


def test_the_applicants_timeline_leaves_the_review_out(reviewed):
    assert [event.verb for event in audit_trail(reviewed)] == [Verb.REVIEW_STARTED]


def test_the_review_page_renders_its_trail_the_same_way(client, officer, reviewed):
    client.force_login(officer)
    _head, rows = trail_rows(client, reviewed.due_diligence)
    cells = dict(rows)
    assert cells[Verb.REVIEW_COMPLETED][2] == "due-diligence review completed"
    assert cells[Verb.REVIEW_COMPLETED][3] == "open → completed"
    url = reverse("admin:duediligence_review_change", args=[reviewed.due_diligence.pk])
    assert "When (Europe/Oslo)" in client.get(url).content.decode()
