"""Factories of licensees' reports (Art. 7.1 to 7.3, 7.1(c), 10.1(a))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from duediligence.models import LicenseeReport, MeansOfPayment, ReportKind, ReportState
from duediligence.services.report_keys import index_report
from tests.factories.licensing import LicenceFactory, UserFactory


class LicenseeReportFactory(DjangoModelFactory):
    """A suspicious cross-border cash payment reported by an active licensee; traits
    ``under_review``, ``accepted``, ``dismissed`` and ``customer_record``."""

    class Meta:
        model = LicenseeReport
        skip_postgeneration_save = True

    class Params:
        under_review = factory.Trait(state=ReportState.UNDER_REVIEW)
        accepted = factory.Trait(state=ReportState.ACCEPTED)
        dismissed = factory.Trait(state=ReportState.DISMISSED)
        customer_record = factory.Trait(
            kind=ReportKind.CUSTOMER_RECORD,
            checks_done="Register extract and licence checked.",
            documents_seen="Certificate of registration.",
            checked_on=dt.date(2026, 10, 1),
            description="",
            amount=None,
            currency="",
            means_of_payment="",
            cross_border=False,
        )

    kind = ReportKind.TRANSACTION
    licensee = factory.LazyFunction(lambda: LicenceFactory().holder)
    filed_by = factory.SubFactory(UserFactory, is_staff=False, role="applicant")
    customer_name = "Grenseløs Handel AS"
    country = "NO"
    registration_number = factory.Sequence(lambda n: f"8{n:08d}")
    iban = ""
    description = "Paid 40,000 EUR in cash at the border crossing."
    occurred_on = dt.date(2026, 10, 3)
    amount = Decimal("40000.00")
    currency = "EUR"
    means_of_payment = MeansOfPayment.CASH
    cross_border = True

    @factory.post_generation
    def indexed(obj, create, extracted, **kwargs):
        """Filed reports are indexed (``file_report``); so are these."""
        if create:
            index_report(obj)
