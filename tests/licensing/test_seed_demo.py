"""``seed_demo``: synthetic licences for the benchmarks, written with COPY on PostgreSQL and with
bulk inserts elsewhere, the same rows either way (licensing/demo/seed.py)."""

from __future__ import annotations

import hashlib
import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.utils import timezone

from licensing.demo.seed import CheckCharacters, Seeder
from licensing.models import (
    Application,
    ApplicationState,
    AuditEvent,
    Invoice,
    InvoiceLine,
    Licence,
    LicenceTerm,
    Party,
    Payment,
    RecordVersion,
    Sequence,
    Site,
    SubmissionSnapshot,
)
from licensing.services import applications as app_services
from licensing.services.fees import record_payment
from licensing.services.numbers import _with_check, is_valid_number
from licensing.services.snapshots import SnapshotEncoder

TABLES: list[type[models.Model]] = [
    Party,
    Site,
    Application,
    Application.sites.through,
    SubmissionSnapshot,
    Invoice,
    InvoiceLine,
    Payment,
    Licence,
    Licence.sites.through,
    LicenceTerm,
]


def seed(**options: Any) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_creates_consistent_licences_and_advances_the_numbers(settings):
    settings.DEBUG = True
    seed(licences=200, batch_size=64)
    numbers = list(Licence.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 200
    assert all(is_valid_number(n) for n in numbers)
    assert Party.objects.count() == Site.objects.count() == 50
    for licence in Licence.objects.select_related("application__invoice")[:20]:
        assert licence.terms.get().expires_on == licence.expires_on
        assert licence.application.state == ApplicationState.APPROVED
        assert licence.application.invoice.is_paid
        assert licence.sites.exists()
    for snapshot in SubmissionSnapshot.objects.all()[:20]:
        text = json.dumps(snapshot.data, cls=SnapshotEncoder, sort_keys=True)
        assert snapshot.sha256 == hashlib.sha256(text.encode()).hexdigest()
    # Synthetic data, not a history: no audit trail, and no record versions (migration 0024's
    # INSERT ... SELECT makes them; benchmarks/versions.py times it over these rows).
    assert not AuditEvent.objects.exists()
    assert not RecordVersion.objects.exists()
    assert not Party.objects.filter(approved_at__isnull=True).exists()
    year = timezone.localdate().year
    highest = max(int(n.split("-")[2]) for n in numbers if n.split("-")[1] == str(year))
    assert Sequence.objects.get(name=f"licence-{year}").value >= highest

    # The services go on after the seeded rows: new ids, new numbers.
    officer = get_user_model().objects.create_user("officer-under-test")
    officer.groups.add(Group.objects.get(name="licence officer"))
    party = Party.objects.first()
    application = app_services.create_application(
        party=party, kind="new", activities=["retail"], by=officer
    )
    app_services.accept_declaration(application_id=application.pk, by=officer)
    app_services.submit_application(application_id=application.pk, by=officer)
    app_services.start_review(application_id=application.pk, by=officer)
    application.refresh_from_db()
    record_payment(
        invoice_id=application.invoice.pk,
        by=officer,
        reference="TEST-PAYMENT-1",
        amount=application.invoice.amount or Decimal("1.00"),
        paid_on=timezone.localdate(),
    )
    app_services.approve_application(application_id=application.pk, by=officer)
    issued = Licence.objects.get(application=application)
    assert issued.number not in numbers
    assert is_valid_number(issued.number)
    assert issued.valid_from == timezone.localdate()


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        seed(licences=1)
    assert not Licence.objects.exists()


@pytest.mark.django_db
def test_seed_demo_refuses_copy_where_there_is_no_postgresql(settings):
    settings.DEBUG = True
    if connection.vendor == "postgresql":
        pytest.skip("COPY is PostgreSQL's: the refusal is for other databases")
    with pytest.raises(CommandError, match="no 'copy' seeding"):
        seed(licences=4, method="copy")
    assert not Licence.objects.exists()


def _rows(
    since: dict[type[models.Model], int], until: dict[type[models.Model], int]
) -> dict[str, list[dict[str, Any]]]:
    """Each table's rows written after ``since`` up to ``until``, in id order, without what
    differs between two runs of the same plan: ids (foreign keys become positions within the
    run), times of writing, public ids, the holder's number in names and check characters."""

    def written(model: type[models.Model]) -> Any:
        return model._base_manager.filter(pk__gt=since[model], pk__lte=until[model]).order_by("pk")

    first = {
        model: written(model).values_list("pk", flat=True)[0]
        for model in (Party, Site, Application, Invoice, Licence)
    }
    bases = {
        "party_id": first[Party],
        "holder_id": first[Party],
        "site_id": first[Site],
        "application_id": first[Application],
        "invoice_id": first[Invoice],
        "licence_id": first[Licence],
    }
    varying = {"id", "created_at", "updated_at", "public_id", "taken_at", "approved_at", "sha256"}
    varying |= {"date_of_birth", "date_of_incorporation", "postal_code"}  # from the number
    out = {}
    for model in TABLES:
        rows = []
        for row in written(model).values():
            normal = {}
            for key, value in row.items():
                if key in varying:
                    continue
                if key in bases and value is not None:
                    value -= bases[key]
                if key == "data":
                    value = json.dumps(value, sort_keys=True)
                    value = value.replace(f'"id": {row_party(value)}', '"id": PARTY')
                if isinstance(value, str):
                    value = re.sub(r"\d+", "#", re.sub(r"-[0-9A-Z](?=\"|$)", "-?", value))
                normal[key] = value
            rows.append(normal)
        out[model._meta.db_table] = rows
    return out


def row_party(data: str) -> str:
    return re.search(r'"party": \{"id": (\d+)\}', data).group(1)  # type: ignore[union-attr]


def _last_ids() -> dict[type[models.Model], int]:
    return {
        model: model._base_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in TABLES
    }


@pytest.mark.postgresql
@pytest.mark.django_db
def test_copy_writes_the_same_rows_as_bulk_inserts(settings):
    settings.DEBUG = True
    # 60 licences: 15 holders, so the second run's holders have the same country and kind.
    before = _last_ids()
    assert "copy)" in seed(licences=60, batch_size=24, seed=7)
    middle = _last_ids()
    assert "bulk)" in seed(licences=60, batch_size=24, seed=7, method="bulk")
    copied, inserted = _rows(before, middle), _rows(middle, _last_ids())
    for table, rows in copied.items():
        assert len(rows) == len(inserted[table]) > 0, table
        for a, b in zip(rows, inserted[table], strict=True):
            assert a == b, (table, {k: (v, b.get(k)) for k, v in a.items() if v != b.get(k)})
    # Each snapshot's digest is that of its data, as the services compute it.
    for snapshot in SubmissionSnapshot.objects.all():
        text = json.dumps(snapshot.data, cls=SnapshotEncoder, sort_keys=True)
        assert snapshot.sha256 == hashlib.sha256(text.encode()).hexdigest()
    party = Party.objects.order_by("pk").first()
    assert party.sites.get().postal_code == f"{1000 + party.pk % 8999}"


@pytest.mark.postgresql
@pytest.mark.django_db
def test_copy_reads_nothing_back_per_licence(settings, django_assert_max_num_queries):
    # Ids come from the sequences in advance: a batch's statements do not grow with its rows.
    # A first run creates the seeding user and the counters; then 400 licences in one batch
    # take 9 statements and 3 per counter and year (application, invoice, licence; at most 4
    # years), whatever the licences.
    settings.DEBUG = True
    Seeder(seed=1).run(8, batch_size=8, report=lambda line: None)
    with django_assert_max_num_queries(9 + 3 * 3 * 4):
        Seeder(seed=1).run(400, batch_size=400, report=lambda line: None)
    assert Licence.objects.count() == 408
    # The identity sequences moved past the rows: an ordinary insert takes the next id.
    newest = Party.objects.create(kind="legal", legal_name="After seeding", country="NO")
    assert newest.pk > Party.objects.exclude(pk=newest.pk).order_by("-pk").first().pk


def test_check_characters_are_those_of_the_services():
    checks = CheckCharacters()
    for prefix in ("TL", "A", "F"):
        for year in (2024, 2026, 2099):
            for value in (*range(1, 1200), 12345, 999_999, 1_000_000, 1_234_567):
                assert checks.number(prefix, year, value) == _with_check(prefix, year, value)


@pytest.mark.django_db
def test_a_column_whose_default_is_drawn_per_row_must_be_given():
    from licensing.demo.seed_copy import Table

    with pytest.raises(ImproperlyConfigured, match="public_id"):
        Table(Licence, ["id", "created_at", "updated_at", "number"])
    # Left out, the rest take what bulk_create stores: version 1, no proposal, no region.
    given = ["id", "created_at", "updated_at", "party_id", "kind", "name", "street_address"]
    given += ["postal_code", "municipality", "country", "latitude", "longitude"]
    assert Table(Site, given).tail == "\t1\t\\N\t\\N\t\\N\t\n"
