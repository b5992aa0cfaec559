"""Licensees' reports feed the next screening (Art. 6.3(d), 7.1(c), 10.1(a)): the identities
they name become screening keys with the report as source, and once an officer accepts a
report, an application sharing one of them is flagged, with the report as evidence."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from duediligence.models import CheckOutcome, KeyKind, LicenseeReport, ScreeningKey
from duediligence.services import reports as services
from duediligence.services.indexing import index_everything
from duediligence.services.reviews import run_first_checks
from tests.duediligence.reports_world import (
    IBAN_OF_A_SMUGGLER,
    contravention,
    licensee_with_user,
)
from tests.factories import ApplicationFactory, BankAccountFactory
from tests.factories.duediligence import LonePartyFactory
from tests.factories.reports import LicenseeReportFactory
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db


def related_result(application):
    review = run_first_checks(application_id=application.pk)
    return review.latest_results().get(code="related_parties")


def report_matches(result):
    return [m for m in result.evidence["matches"] if m["source"] == "licensee_report"]


def test_a_report_from_the_portal_is_accepted_and_flags_the_next_application_sharing_its_iban(
    applicant_for, officer
):
    party, user = licensee_with_user(applicant_for)
    filed = client_for(user).post(
        reverse("portal:report_new", kwargs={"kind": "contravention"}), contravention(party)
    )
    assert filed.status_code == 302
    report = LicenseeReport.objects.get()
    # The report reaches the officer queue ...
    admin = client_for(officer)
    queue = admin.get(reverse("admin:duediligence_licenseereport_changelist")).content.decode()
    assert report.reference in queue
    # ... and is taken into review and accepted there.
    for name, data in (("take_into_review", {}), ("accept", {"reason": "Customs confirm it."})):
        url = reverse("admin:duediligence_licenseereport_action", args=[report.pk, name])
        assert admin.post(url, data).status_code == 302
    applicant = LonePartyFactory()
    BankAccountFactory(party=applicant, iban=IBAN_OF_A_SMUGGLER.replace(" ", ""))
    result = related_result(ApplicationFactory(party=applicant, submitted=True))
    assert result.outcome == CheckOutcome.FLAG
    [match] = report_matches(result)
    assert match["reference"] == report.reference
    assert match["party"] == "Schmuggel Handels GmbH"
    assert (match["kind"], match["value"]) == (KeyKind.IBAN, "DE89370400440532013000")
    assert "accepted" in match["reason"] and report.reference in match["reason"]
    assert report.reference in result.summary


def test_a_suspicious_transaction_flags_an_applicant_with_the_same_registration_number(officer):
    report = LicenseeReportFactory(country="NO", registration_number="NO 912 345 678")
    services.take_report_into_review(report_id=report.pk, by=officer)
    services.accept_report(report_id=report.pk, by=officer, comment="Relevant.")
    applicant = LonePartyFactory(country="NO", registration_number="912345678")
    [match] = report_matches(related_result(ApplicationFactory(party=applicant, submitted=True)))
    assert (match["kind"], match["reference"]) == (KeyKind.REGISTRATION, report.reference)


@pytest.mark.parametrize("state", [{}, {"under_review": True}, {"dismissed": True}])
def test_a_report_not_accepted_flags_nobody(state):
    """A report is one business's word about another: it counts once the authority accepts
    it, never while it waits, and never once dismissed."""
    LicenseeReportFactory(registration_number="912345678", **state)
    applicant = LonePartyFactory(country="NO", registration_number="912345678")
    result = related_result(ApplicationFactory(party=applicant, submitted=True))
    assert report_matches(result) == []
    assert result.outcome == CheckOutcome.PASS


def test_an_accepted_customer_record_is_not_adverse():
    LicenseeReportFactory(customer_record=True, accepted=True, registration_number="912345678")
    applicant = LonePartyFactory(country="NO", registration_number="912345678")
    result = related_result(ApplicationFactory(party=applicant, submitted=True))
    assert report_matches(result) == []


def test_filing_indexes_the_customers_identifiers_with_the_report_as_source(applicant_for):
    party, user = licensee_with_user(applicant_for)
    report = services.file_report(
        party_id=party.pk,
        by=user,
        kind="transaction",
        data={
            "customer_name": "Grenseløs Handel AS",
            "country": "NO",
            "registration_number": "912 345 678",
            "tax_number": "NO912345678MVA",
            "iban": "NO9386011117947",
            "address": "Storgata 5\n0155 Oslo",
            "description": "Cash at the border.",
            "amount": "100",
            "currency": "NOK",
            "means_of_payment": "cash",
        },
    )
    keys = ScreeningKey.objects.filter(
        source_type=ContentType.objects.get_for_model(LicenseeReport), source_id=report.pk
    )
    assert set(keys.values_list("kind", "value")) == {
        (KeyKind.NAME, "grenselos handel"),
        (KeyKind.REGISTRATION, "NO:912345678"),
        (KeyKind.TAX, "NO:912345678MVA"),
        (KeyKind.IBAN, "NO9386011117947"),
        (KeyKind.ADDRESS, "no 0155 storgata 5"),
    }
    assert not keys.filter(party__isnull=False).exists()


def test_rebuilding_every_key_keeps_the_reports_keys():
    # ``index_screening_keys`` (after a change of the normalisers) rebuilds reports' keys too.
    report = LicenseeReportFactory(accepted=True)
    report_type = ContentType.objects.get_for_model(LicenseeReport)
    mine = ScreeningKey.objects.filter(source_type=report_type, source_id=report.pk)
    before = set(mine.values_list("kind", "value"))
    mine.delete()

    index_everything()

    assert before
    assert set(mine.values_list("kind", "value")) == before
