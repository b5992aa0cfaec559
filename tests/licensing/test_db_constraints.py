"""Issue 15, item 4: the database itself holds every state column to its choices and the other
invariants the services rely on (dates in order, amounts positive, one current version), so a
raw UPDATE, a bulk write or a bug outside the services cannot store what no service would.
Both SQLite (the laptop default) and PostgreSQL enforce CHECK constraints; every test here runs
on both, and CI runs them on PostgreSQL (ASVS V2.2.3: data consistency enforced in the data
layer too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django_fsm import FSMField

from duediligence.models import Review
from licensing.models import FeeSchedule, InvoiceLine, Licence, LicenceTerm, RecordVersion
from licensing.models.licences import LicenceState
from licensing.services.drafts.people import end_role
from tests import factories as f
from tests.factories.duediligence import BlockedCustomerFactory
from tests.factories.inspections import InspectionFactory
from tests.factories.reports import LicenseeReportFactory

pytestmark = pytest.mark.django_db

APPS = ("licensing", "equipment", "inspections", "duediligence")
# The rule for a state column: a django-fsm field, or a column with choices named as a state.
STATE_NAMES = {"state", "status", "outcome", "result"}


def state_columns() -> list[tuple[type[models.Model], models.Field]]:
    found = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, FSMField) or (field.name in STATE_NAMES and field.choices):
                    found.append((model, field))
    return found


def in_lists(model: type[models.Model], column: str) -> list[list[Any]]:
    """The IN lists of the model's CHECK constraints on ``column``."""
    lists = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            for child in constraint.condition.children:
                if isinstance(child, tuple) and child[0] == f"{column}__in":
                    lists.append(list(child[1]))
    return lists


def test_every_state_column_is_held_to_its_choices_by_a_check_constraint():
    columns = state_columns()
    assert {model._meta.app_label for model, _field in columns} == set(APPS)
    missing = []
    for model, field in columns:
        expected = [value for value, _label in field.flatchoices]
        if field.blank:
            expected.append("")
        if sorted(expected) not in [sorted(values) for values in in_lists(model, field.name)]:
            missing.append(f"{model._meta.label}.{field.name}")
    # A state added to the choices without a migration of its constraint fails here.
    assert missing == []


def test_the_walk_finds_the_state_machines_of_each_app():
    names = {f"{model.__name__}.{field.name}" for model, field in state_columns()}
    assert {
        "Licence.state",
        "Application.state",
        "DecisionProposal.status",
        "Machine.state",
        "DestructionOrder.state",
        "Inspection.state",
        "Inspection.outcome",
        "Review.state",
        "CheckResult.outcome",
        "LicenseeReport.state",
    } <= names


def raw_update(table: str, column: str, value: Any, pk: int) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def test_a_bogus_licence_state_is_refused_by_raw_sql():
    f.LicenceFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE licensing_licence SET state='bogus'")
    assert list(Licence.objects.values_list("state", flat=True)) == ["active"]


def _review() -> Review:
    return Review.objects.create(application=f.ApplicationFactory(submitted=True))


@pytest.mark.parametrize(
    ("build", "column"),
    [
        (f.LicenceFactory, "state"),
        (f.ApplicationFactory, "state"),
        (f.MachineFactory, "state"),
        (InspectionFactory, "state"),
        (InspectionFactory, "outcome"),
        (_review, "state"),
        (LicenseeReportFactory, "state"),
    ],
    ids=["licence", "application", "machine", "inspection", "outcome", "review", "report"],
)
def test_a_state_outside_the_choices_is_refused_in_each_app(build, column):
    obj = build()
    with pytest.raises(IntegrityError):
        raw_update(obj._meta.db_table, column, "bogus", obj.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(obj)._base_manager.filter(pk=obj.pk).update(**{column: "bogus"})
    obj.refresh_from_db()
    assert getattr(obj, column) != "bogus"


def test_a_state_in_the_choices_is_still_written_by_raw_sql():
    licence = f.LicenceFactory()
    raw_update("licensing_licence", "state", "suspended", licence.pk)
    licence.refresh_from_db()
    assert licence.state == "suspended"


def _fee() -> FeeSchedule:
    return FeeSchedule.objects.order_by("pk").first()  # type: ignore[return-value]


def _version() -> RecordVersion:
    party = f.PartyFactory()
    return RecordVersion.objects.create(
        record_type="licensing.Party",
        record_id=party.pk,
        party=party,
        version=1,
        valid_from=timezone.now(),
        data={},
        source="officer",
    )


BEFORE = dt.date(2000, 1, 1)
INVARIANTS: list[tuple[str, Callable[[], Any], str, Any]] = [
    # Dates in order (Art. 6.3(f): a term; fee schedules; roles; blocks; versions).
    ("licence_dates", f.LicenceFactory, "expires_on", BEFORE),
    (
        "term_dates",
        lambda: LicenceTerm.objects.get(licence=f.LicenceFactory()),
        "expires_on",
        BEFORE,
    ),
    ("fee_dates", _fee, "valid_until", BEFORE),
    ("person_dates", f.PersonFactory, "active_until", BEFORE),
    ("blocked_dates", BlockedCustomerFactory, "until", BEFORE),
    ("version_dates", _version, "valid_to", dt.datetime(2000, 1, 1, tzinfo=dt.UTC)),
    # Amounts and quantities (Art. 6.3(c) fees; Art. 6.3(b)(iii) capacities).
    ("fee_amount", _fee, "amount", Decimal("-1.00")),
    ("invoice_amount", f.InvoiceFactory, "amount", Decimal("-1.00")),
    (
        "invoice_line_amount",
        lambda: InvoiceLine.objects.filter(invoice=f.InvoiceFactory()).first(),
        "amount",
        Decimal("-0.01"),
    ),
    ("payment_amount", f.PaymentFactory, "amount", Decimal("0.00")),
    ("capacity", f.ProductionCapacityFactory, "units_per_year", 0),
    ("market_demand", f.MarketDeclarationFactory, "anticipated_demand", 0),
    ("machine_capacity", f.MachineFactory, "rated_capacity", 0),
    ("report_amount", LicenseeReportFactory, "amount", Decimal("0.00")),
]


@pytest.mark.parametrize(
    ("build", "column", "bad"),
    [case[1:] for case in INVARIANTS],
    ids=[case[0] for case in INVARIANTS],
)
def test_an_invariant_the_services_rely_on_is_refused_by_raw_sql_and_the_orm(build, column, bad):
    obj = build()
    model = type(obj)
    with pytest.raises(IntegrityError):
        raw_update(model._meta.db_table, model._meta.get_field(column).column, bad, obj.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        model._base_manager.filter(pk=obj.pk).update(**{column: bad})
    obj.refresh_from_db()
    assert getattr(obj, column) != bad


@pytest.mark.parametrize(
    ("build", "column", "bad", "message"),
    [
        (f.LicenceFactory, "expires_on", BEFORE, "The period ends before it begins."),
        (f.PaymentFactory, "amount", Decimal("0.00"), "The amount must be more than zero."),
        (f.ProductionCapacityFactory, "units_per_year", 0, "The amount must be more than zero."),
    ],
    ids=["licence_dates", "payment", "capacity"],
)
def test_a_form_sees_the_constraint_as_a_validation_error_not_a_server_error(
    build, column, bad, message
):
    # ModelForms call full_clean, which checks the constraints before the database does.
    obj = build()
    setattr(obj, column, bad)
    with pytest.raises(ValidationError) as refused:
        obj.validate_constraints()
    assert message in str(refused.value)


def test_a_record_has_one_current_version_at_most():
    first = _version()
    second = dict(
        record_type=first.record_type,
        record_id=first.record_id,
        party=first.party,
        version=2,
        valid_from=timezone.now(),
        data={},
        source="officer",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        RecordVersion.objects.create(**second)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO licensing_recordversion (record_type, record_id, party_id, version, "
            "valid_from, valid_to, data, ended, source) "
            "SELECT record_type, record_id, party_id, 2, valid_from, NULL, data, ended, source "
            "FROM licensing_recordversion WHERE id = %s",
            [first.pk],
        )
    # Closing the current one first (as services/versions.py: write_version does) is allowed.
    RecordVersion.objects.filter(pk=first.pk).update(valid_to=timezone.now())
    RecordVersion.objects.create(**second)
    assert RecordVersion.objects.filter(record_id=first.record_id, valid_to=None).count() == 1


def test_ending_a_role_that_has_not_begun_keeps_its_dates_in_order():
    person = f.PersonFactory(active_from=timezone.localdate() + dt.timedelta(days=30))
    end_role(person)
    person.save()
    assert person.active_until == person.active_from


@pytest.mark.postgresql
def test_postgresql_holds_the_licence_states_in_its_catalogue():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
            ["licence_state_valid"],
        )
        (definition,) = cursor.fetchone()
    assert definition.startswith("CHECK")
    for value in LicenceState.values:
        assert f"'{value}'" in definition
