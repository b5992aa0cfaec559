"""The review: opened on submission, re-run by the officer, each flag decided, completed; the
approval held back until then (Art. 6.3(d))."""

from __future__ import annotations

import pytest
from django.utils import translation

from duediligence.gate import CriticalFlagUpheld, ReviewOpen
from duediligence.models import CheckResult, DispositionMissing, Review
from duediligence.services import reviews as services
from duediligence.tasks import review_submitted_application
from licensing.exceptions import PermissionDenied, ReasonRequired, TransitionNotAllowed
from licensing.models import ApplicationState, AuditEvent, Verb
from licensing.services import applications as app_services
from tests.factories import (
    ApplicationFactory,
    BankAccountFactory,
    CriminalRecordDeclarationFactory,
    PaymentFactory,
)
from tests.factories.duediligence import ready_application

pytestmark = pytest.mark.django_db


def _verbs(review):
    return list(AuditEvent.objects.for_object(review).values_list("verb", flat=True))


def _flag_conviction(application):
    director = application.party.persons.get()
    CriminalRecordDeclarationFactory(
        party=application.party, person=director, has_convictions=True, details="2019: fraud."
    )


def _in_review(application, officer):
    app_services.start_review(application_id=application.pk, by=officer)
    PaymentFactory(invoice=application.invoice, amount=application.invoice.amount)


def test_submitting_an_application_opens_its_review_and_runs_the_checks(
    applicant_for, django_capture_on_commit_callbacks
):
    draft = ready_application()
    application = ApplicationFactory(party=draft.party, declared=True)
    user = applicant_for(application.party)
    with django_capture_on_commit_callbacks(execute=True):
        app_services.submit_application(application_id=application.pk, by=user)
    review = Review.objects.get(application=application)
    assert review.state == "open"
    assert review.run == 1
    assert review.latest_results().count() == 8
    assert _verbs(review) == [Verb.CHECKS_RUN]


def test_a_second_delivery_of_the_job_changes_nothing():
    application = ready_application()
    review_submitted_application.delay(application_id=application.pk)
    review_submitted_application.delay(application_id=application.pk)
    review = Review.objects.get(application=application)
    assert review.run == 1
    assert CheckResult.objects.filter(review=review).count() == 8
    assert _verbs(review) == [Verb.CHECKS_RUN]


def test_the_officer_runs_the_checks_again_and_the_old_results_are_kept(officer):
    application = ready_application()
    review = services.run_first_checks(application_id=application.pk)
    _flag_conviction(application)
    services.rerun_checks(review_id=review.pk, by=officer)
    review.refresh_from_db()
    assert review.run == 2
    assert review.results.filter(run=1, code="criminal_records").get().outcome == "pass"
    assert review.results.filter(run=2, code="criminal_records").get().outcome == "flag"
    assert _verbs(review) == [Verb.CHECKS_RUN, Verb.CHECKS_RUN]


def test_only_a_reviewer_may_run_the_checks_again(inspector, refused):
    review = services.run_first_checks(application_id=ready_application().pk)
    with refused(PermissionDenied, review, field="run"):
        services.rerun_checks(review_id=review.pk, by=inspector)


def test_the_checks_of_a_decided_application_are_not_run_again(officer, refused):
    application = ready_application()
    review = services.run_first_checks(application_id=application.pk)
    ApplicationFactory._meta.model.objects.filter(pk=application.pk).update(
        state=ApplicationState.WITHDRAWN
    )
    with refused(TransitionNotAllowed, review, field="run"):
        services.rerun_checks(review_id=review.pk, by=officer)


def test_an_officer_clears_a_flag_with_a_comment(officer):
    application = ready_application()
    _flag_conviction(application)
    review = services.run_first_checks(application_id=application.pk)
    flag = review.open_flags().get()
    services.decide_flag(
        result_id=flag.pk, by=officer, disposition="cleared", comment="Spent conviction."
    )
    flag.refresh_from_db()
    assert (flag.disposition, flag.disposition_comment, flag.disposed_by) == (
        "cleared",
        "Spent conviction.",
        officer,
    )
    event = AuditEvent.objects.for_object(review).get(verb=Verb.FLAG_CLEARED)
    assert event.reason == "Spent conviction."
    assert event.changes == {"check": "criminal_records", "run": 1}


def test_a_flag_is_not_decided_without_a_comment(officer, refused):
    application = ready_application()
    _flag_conviction(application)
    flag = services.run_first_checks(application_id=application.pk).open_flags().get()
    with refused(ReasonRequired, flag, field="disposition"):
        services.decide_flag(result_id=flag.pk, by=officer, disposition="upheld", comment=" ")


@pytest.mark.parametrize("user", ["inspector", "registrar", "auditor"])
def test_only_reviewers_decide_flags(request, user, refused):
    application = ready_application()
    _flag_conviction(application)
    flag = services.run_first_checks(application_id=application.pk).open_flags().get()
    with refused(PermissionDenied, flag, field="disposition"):
        services.decide_flag(
            result_id=flag.pk,
            by=request.getfixturevalue(user),
            disposition="cleared",
            comment="x",
        )


def test_an_applicant_cannot_decide_the_flags_of_its_own_application(applicant_for, refused):
    application = ready_application()
    _flag_conviction(application)
    flag = services.run_first_checks(application_id=application.pk).open_flags().get()
    with refused(PermissionDenied, flag, field="disposition"):
        services.decide_flag(
            result_id=flag.pk,
            by=applicant_for(application.party),
            disposition="cleared",
            comment="x",
        )


def test_a_passing_check_has_nothing_to_decide(officer, refused):
    review = services.run_first_checks(application_id=ready_application().pk)
    passed = review.latest_results().get(code="numbers")
    with refused(TransitionNotAllowed, passed, field="disposition"):
        services.decide_flag(result_id=passed.pk, by=officer, disposition="cleared", comment="x")


def test_the_review_is_not_completed_while_a_flag_has_no_decision(officer, refused):
    application = ready_application()
    _flag_conviction(application)
    review = services.run_first_checks(application_id=application.pk)
    with refused(DispositionMissing, review):
        services.complete_review(review_id=review.pk, by=officer)


def test_only_a_reviewer_completes_the_review(inspector, refused):
    review = services.run_first_checks(application_id=ready_application().pk)
    with refused(PermissionDenied, review):
        services.complete_review(review_id=review.pk, by=inspector)


def test_approval_is_refused_until_the_review_is_complete(officer, refused):
    # Art. 6.3(d): the "done when" of the issue, through the services.
    application = ready_application()
    _flag_conviction(application)
    review = services.run_first_checks(application_id=application.pk)
    _in_review(application, officer)
    with refused(ReviewOpen, application):
        app_services.approve_application(application_id=application.pk, by=officer)
    flag = review.open_flags().get()
    services.decide_flag(result_id=flag.pk, by=officer, disposition="cleared", comment="Spent.")
    services.complete_review(review_id=review.pk, by=officer)
    review.refresh_from_db()
    assert (review.state, review.completed_by) == ("completed", officer)
    assert _verbs(review)[-1] == Verb.REVIEW_COMPLETED
    app_services.approve_application(application_id=application.pk, by=officer)
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED


def test_an_upheld_critical_flag_bars_approval_after_completion(officer, refused):
    application = ready_application()
    _flag_conviction(application)
    review = services.run_first_checks(application_id=application.pk)
    _in_review(application, officer)
    flag = review.open_flags().get()
    assert flag.critical
    services.decide_flag(result_id=flag.pk, by=officer, disposition="upheld", comment="Recent.")
    services.complete_review(review_id=review.pk, by=officer)
    with refused(CriticalFlagUpheld, application):
        app_services.approve_application(application_id=application.pk, by=officer)


def test_an_upheld_flag_that_is_not_critical_does_not_bar_approval(officer):
    application = ready_application()
    BankAccountFactory(party=application.party)  # a bank outside the market: not critical
    review = services.run_first_checks(application_id=application.pk)
    _in_review(application, officer)
    flag = review.open_flags().get()
    assert (flag.code, flag.critical) == ("bank_accounts", False)
    services.decide_flag(result_id=flag.pk, by=officer, disposition="upheld", comment="Noted.")
    services.complete_review(review_id=review.pk, by=officer)
    app_services.approve_application(application_id=application.pk, by=officer)


def test_a_rerun_with_a_new_flag_reopens_a_completed_review(officer):
    application = ready_application()
    review = services.run_first_checks(application_id=application.pk)
    services.complete_review(review_id=review.pk, by=officer)
    _flag_conviction(application)
    services.rerun_checks(review_id=review.pk, by=officer)
    review.refresh_from_db()
    assert review.state == "open"
    assert review.completed_at is None
    assert _verbs(review)[-1] == Verb.REVIEW_REOPENED


def test_a_rerun_keeps_the_decision_on_an_unchanged_flag(officer):
    application = ready_application()
    _flag_conviction(application)
    review = services.run_first_checks(application_id=application.pk)
    flag = review.open_flags().get()
    services.decide_flag(result_id=flag.pk, by=officer, disposition="cleared", comment="Spent.")
    services.complete_review(review_id=review.pk, by=officer)
    services.rerun_checks(review_id=review.pk, by=officer)
    review.refresh_from_db()
    assert review.state == "completed"
    again = review.latest_results().get(code="criminal_records")
    assert (again.run, again.disposition, again.disposition_comment) == (2, "cleared", "Spent.")


def test_the_risk_score_explains_itself(officer, settings):
    settings.DUE_DILIGENCE_WEIGHTS = {**settings.DUE_DILIGENCE_WEIGHTS, "criminal_records": 7}
    application = ready_application()
    _flag_conviction(application)
    BankAccountFactory(party=application.party)
    review = services.run_first_checks(application_id=application.pk)
    score, rows = services.risk_score(review)
    points = {row.code: row.points for row in rows}
    assert points["criminal_records"] == 7
    assert points["bank_accounts"] == settings.DUE_DILIGENCE_WEIGHTS["bank_accounts"]
    assert points["numbers"] == 0
    assert score == 7 + settings.DUE_DILIGENCE_WEIGHTS["bank_accounts"]
    flag = review.latest_results().get(code="bank_accounts")
    services.decide_flag(result_id=flag.pk, by=officer, disposition="cleared", comment="Fine.")
    assert services.risk_score(review)[0] == 7


def test_an_application_without_a_review_is_not_held_back(officer):
    # Submitted before due diligence existed: the core's own conditions only.
    application = ApplicationFactory(in_review=True, paid=True)
    app_services.approve_application(application_id=application.pk, by=officer)


def test_the_summaries_are_stored_in_the_authoritys_language_whoever_ran_the_checks():
    application = ready_application()
    with translation.override("hu"):
        review = services.run_first_checks(application_id=application.pk)
    assert review.latest_results().get(code="numbers").summary == (
        "Every number is well-formed for its country, or its country has no rule."
    )
