"""A change notified in advance takes effect on its date (Art. 6.3(g)), exactly once; existing
records become version 1 (migration 0024), here on the demo data."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from licensing.models import ApplicationState, Licence, Party, RecordVersion
from licensing.services import applications as application_services
from licensing.services import approve_proposals
from licensing.services.proposals import REGULATED
from licensing.tasks import apply_due_changes
from tests.factories import ApplicationFactory, LicenceFactory, PartyFactory, SiteFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def change_effective_in(
    days: int, officer: Any, old: str = "Sørtobakk AS", new: str = "Sørtobakk Holding AS"
) -> Any:
    """An approved change of a licensed party's name, to take effect ``days`` from today."""
    party = PartyFactory(approved=True, legal_name=old)
    licence = LicenceFactory(holder=party)
    application = ApplicationFactory(
        in_review=True,
        paid=True,
        change=True,
        party=party,
        licence=licence,
        effective_on=TODAY + dt.timedelta(days=days),
        party_changes={"base_version": 1, "fields": {"legal_name": new}},
    )
    application.sites.add(SiteFactory(party=party))
    application_services.approve_application(application_id=application.pk, by=officer)
    return application


def test_a_change_notified_in_advance_takes_effect_on_its_date(officer: Any) -> None:
    application = change_effective_in(3, officer)
    party = application.party
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    assert application.changes_applied_at is None
    party.refresh_from_db()
    assert party.legal_name == "Sørtobakk AS"  # not before its date

    assert approve_proposals.apply_due_changes(today=TODAY + dt.timedelta(days=2)) == 0
    party.refresh_from_db()
    assert party.legal_name == "Sørtobakk AS"

    on_the_day = TODAY + dt.timedelta(days=3)
    assert approve_proposals.apply_due_changes(today=on_the_day) == 1
    party.refresh_from_db()
    application.refresh_from_db()
    assert party.legal_name == "Sørtobakk Holding AS"
    assert application.changes_applied_at is not None
    version = RecordVersion.objects.get(record_type="licensing.party", record_id=party.pk)
    assert version.application == application and version.approved_by == officer
    # Exactly once: a second run, or the beat's task, applies nothing again.
    assert approve_proposals.apply_due_changes(today=on_the_day) == 0
    assert apply_due_changes.apply().get() == 0
    assert RecordVersion.objects.filter(record_id=party.pk).count() == 1


def test_a_change_approved_after_its_date_applies_at_once(officer: Any) -> None:
    application = change_effective_in(0, officer)
    application.refresh_from_db()
    assert application.changes_applied_at is not None
    assert Party.objects.get(pk=application.party_id).legal_name == "Sørtobakk Holding AS"


def test_a_change_whose_records_moved_meanwhile_waits_for_the_officer(officer: Any) -> None:
    application = change_effective_in(2, officer)
    # An officer corrected the party in the meantime (a new version).
    Party.objects.filter(pk=application.party_id).update(version=2)
    assert approve_proposals.apply_due_changes(today=TODAY + dt.timedelta(days=2)) == 0
    assert Party.objects.get(pk=application.party_id).legal_name == "Sørtobakk AS"


def _migration() -> Any:
    return importlib.import_module("licensing.migrations.0024_versions_of_existing_records")


def test_the_migration_makes_the_demo_records_version_1(settings: Any, tmp_path: Any) -> None:
    """Migration 0024 on a copy of the demo data, taken back to how it stood before versions."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast
    call_command("load_demo", stdout=io.StringIO())
    with connection.cursor() as cursor:  # as the records stood before migration 0023
        cursor.execute("DELETE FROM licensing_recordversion")
        cursor.execute("UPDATE licensing_party SET approved_at = NULL")
    # The migration's step reads only the editor's connection.
    _migration().forwards(apps, SimpleNamespace(connection=connection))

    holders = Party.objects.filter(pk__in=Licence.objects.values("holder_id"))
    assert holders.exists()
    assert not holders.filter(approved_at__isnull=True).exists()
    others = Party.objects.exclude(pk__in=holders.values("pk"))
    assert not others.filter(approved_at__isnull=False).exists()
    for party in holders:
        versions = RecordVersion.objects.filter(party=party)
        expected = 1 + sum(
            (
                model.objects.filter(site__party=party)
                if model._meta.model_name == "productioncapacity"
                else model.objects.filter(party=party)
            ).count()
            for model in REGULATED
        )
        assert versions.count() == expected
        assert set(versions.values_list("version", flat=True)) == {1}
        first = Licence.objects.filter(holder=party).order_by("created_at", "pk").first()
        assert first is not None
        assert set(versions.values_list("application_id", flat=True)) == {first.application_id}
        from licensing.as_of import party_as_of

        known = party_as_of(party.pk)
        assert known is not None and known.party.legal_name == party.legal_name
