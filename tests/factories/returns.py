"""Factories of the periodic returns. A period is last quarter's, for a licence that was in
force then, due ``RETURN_DUE_DAYS`` after it ended; a return is its first version, filed by a
portal user acting for the licensee, with one balanced line of cigarettes in units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from licensing.models.sites import ProductType
from returns.models import (
    FiledThrough,
    Frequency,
    Measure,
    PaymentMethod,
    Return,
    ReturnCounterpart,
    ReturnLine,
    ReturnPayment,
    ReturnPeriod,
    Role,
)
from tests.factories.licensing import LicenceFactory, UserFactory


def last_quarter(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    first_month = 3 * ((today.month - 1) // 3) + 1
    this_quarter = today.replace(month=first_month, day=1)
    ends = this_quarter - dt.timedelta(days=1)
    starts = ends.replace(month=3 * ((ends.month - 1) // 3) + 1, day=1)
    return starts, ends


class ReturnPeriodFactory(DjangoModelFactory):
    """Last quarter's period. ``licence`` defaults to one issued a year ago."""

    class Meta:
        model = ReturnPeriod

    licence = factory.SubFactory(
        LicenceFactory,
        valid_from=factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365)),
    )
    party = factory.SelfAttribute("licence.holder")
    frequency = Frequency.QUARTERLY
    starts_on = factory.LazyFunction(lambda: last_quarter()[0])
    ends_on = factory.LazyFunction(lambda: last_quarter()[1])
    due_on = factory.LazyAttribute(lambda o: o.ends_on + dt.timedelta(days=20))


class ReturnFactory(DjangoModelFactory):
    """Version 1 of a period's return, filed now through the form, with one balanced line
    (``lines=False`` for none)."""

    class Meta:
        model = Return
        skip_postgeneration_save = True

    period = factory.SubFactory(ReturnPeriodFactory)
    version = 1
    filed_by = factory.SubFactory(UserFactory, is_staff=False, role="applicant")
    filed_at = factory.LazyFunction(timezone.now)
    filed_through = FiledThrough.FORM

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):
        if create and extracted is not False and not extracted:
            ReturnLineFactory(filed_return=obj)
        if obj.period.filed_at is None:
            obj.period.filed_at = obj.filed_at
            obj.period.save(update_fields=["filed_at"])


class ReturnLineFactory(DjangoModelFactory):
    """Cigarettes in units: 1,000 in stock, 10,000 imported, 9,000 sold, 2,000 at the end."""

    class Meta:
        model = ReturnLine

    filed_return = factory.SubFactory(ReturnFactory, lines=False)
    product_type = ProductType.CIGARETTES
    measure = Measure.UNITS
    stock_start = Decimal(1000)
    imported = Decimal(10000)
    sold = Decimal(9000)
    stock_end = Decimal(2000)


class ReturnCounterpartFactory(DjangoModelFactory):
    """A customer in Norway, named by its organisation number, bought 1,000 cigarettes."""

    class Meta:
        model = ReturnCounterpart

    filed_return = factory.SubFactory(ReturnFactory)
    role = Role.CUSTOMER
    name = factory.Sequence(lambda n: f"Kunde {n} AS")
    country = "NO"
    registration_number = "923609016"
    product_type = ProductType.CIGARETTES
    measure = Measure.UNITS
    quantity = Decimal(1000)


class ReturnPaymentFactory(DjangoModelFactory):
    """A bank transfer through a Norwegian bank."""

    class Meta:
        model = ReturnPayment

    filed_return = factory.SubFactory(ReturnFactory)
    method = PaymentMethod.TRANSFER
    bank_name = "DNB Bank ASA"
    bank_country = "NO"
    amount = Decimal("50000.00")
    currency = "NOK"
