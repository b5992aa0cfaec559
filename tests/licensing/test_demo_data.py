"""The demo data that ``make run`` loads (the bulk benchmark seeding: test_seed_demo.py)."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone
from schwifty import IBAN

from duediligence.gate import ReviewOpen
from duediligence.services.reviews import complete_review, decide_flag
from licensing.demo.fixture import load_fixture, read_fixture
from licensing.demo.users import DEFAULT_PASSWORD, ensure_demo_users
from licensing.models import (
    Application,
    ApplicationKind,
    ApplicationState,
    AuditEvent,
    BankAccount,
    DecisionProposal,
    Licence,
    LicenceState,
    Party,
    SubmissionSnapshot,
)
from licensing.services import applications as app_services
from licensing.services.numbers import is_valid_number
from licensing.services.snapshots import SnapshotEncoder

pytestmark = pytest.mark.django_db

ROLES = {
    "officer": "licence officer",
    "senior": "senior officer",
    "senior2": "senior officer",
    "inspector": "inspector",
    "registrar": "registrar",
    "auditor": "auditor",
    "applicant": "applicant",
}


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast
    call_command("load_demo", stdout=io.StringIO())
    return get_user_model().objects


def counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "parties": Party.objects.count(),
        "applications": Application.objects.count(),
        "licences": Licence.objects.count(),
        "events": AuditEvent.objects.count(),
    }


def test_load_demo_creates_one_user_per_role(demo):
    for username, group in ROLES.items():
        user = demo.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.is_staff == (username != "applicant")
        assert user.check_password(DEFAULT_PASSWORD)
    admin = demo.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    applicant = demo.get(username="applicant")
    acted_for = [p for p in Party.objects.all() if applicant.has_perm("licensing.act_for_party", p)]
    assert 1 <= len(acted_for) <= 2


def test_load_demo_twice_changes_nothing(demo):
    before = counts()
    call_command("load_demo", stdout=io.StringIO())
    assert counts() == before


def test_load_demo_password_comes_from_the_environment(settings, monkeypatch):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-secret")
    call_command("load_demo", stdout=io.StringIO())
    assert get_user_model().objects.get(username="officer").check_password("another-demo-secret")


def test_load_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=io.StringIO())
    assert not get_user_model().objects.exists()
    assert Group.objects.filter(name="licence officer").exists()  # from the migration


def test_demo_parties_are_varied_and_complete(demo):
    parties = Party.objects.all()
    assert parties.count() >= 10
    assert len({p.country.code for p in parties}) >= 3
    assert {p.kind for p in parties} == {"natural", "legal"}
    assert {p.preferred_language for p in parties} >= {"en", "nb", "hu"}
    for party in parties:
        party.full_clean()
        assert party.tax_registrations.exists()
        assert party.sites.exists()
        assert party.criminal_record_declarations.filter(person__isnull=True).exists()
        if party.kind == "legal":
            assert party.persons.filter(role="director").exists()
    for account in BankAccount.objects.all():
        IBAN(account.iban)  # raises if invalid
    assert all(s.latitude is not None for p in parties for s in p.sites.all())


def test_every_state_and_kind_is_present(demo):
    assert set(Application.objects.values_list("state", flat=True)) == set(ApplicationState.values)
    assert set(Application.objects.values_list("kind", flat=True)) == set(ApplicationKind.values)
    assert set(Licence.objects.values_list("state", flat=True)) == set(LicenceState.values)


def test_every_licence_is_what_the_services_would_have_issued(demo):
    for licence in Licence.objects.all():
        assert is_valid_number(licence.number)
        assert licence.terms.exists()
        assert licence.terms.order_by("-valid_from").first().expires_on == licence.expires_on
        application = licence.application
        assert application.state == ApplicationState.APPROVED
        assert application.invoice.is_paid
        verbs = set(AuditEvent.objects.for_object(licence).values_list("verb", flat=True))
        assert "issued" in verbs
        if licence.state not in (LicenceState.ACTIVE, LicenceState.SUSPENDED):
            assert licence.state in verbs


def test_decisions_are_four_eyes_and_states_consistent(demo):
    revoked = Licence.objects.get(state=LicenceState.REVOKED)
    proposal = revoked.proposals.get(action="revoke", status="confirmed")
    assert proposal.proposed_by_id != proposal.decided_by_id
    transferred = Licence.objects.get(state=LicenceState.TRANSFERRED)
    successor = transferred.successors.get()
    assert successor.state == LicenceState.ACTIVE
    assert successor.application.kind == ApplicationKind.TRANSFER
    refused = Application.objects.get(state=ApplicationState.REFUSED)
    proposal = refused.proposals.get(action="refuse", status="confirmed")
    assert proposal.proposed_by_id != proposal.decided_by_id
    asked = Application.objects.get(state=ApplicationState.INFORMATION_REQUESTED)
    assert asked.information_requests.filter(answered_at__isnull=True).exists()
    for pending in DecisionProposal.objects.filter(status="pending"):
        assert pending.subject_state == pending.subject.state


def test_every_submitted_application_has_its_snapshot_and_invoice(demo):
    for application in Application.objects.exclude(state=ApplicationState.DRAFT):
        if application.submitted_at is None:
            continue  # a draft that was withdrawn
        assert application.invoice.amount > 0
        snapshot = application.snapshot
        text = json.dumps(snapshot.data, cls=SnapshotEncoder, sort_keys=True)
        assert snapshot.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert not SubmissionSnapshot.objects.filter(application__submitted_at__isnull=True).exists()
    submitted = Application.objects.filter(state=ApplicationState.SUBMITTED)
    assert {a.invoice.is_paid for a in submitted} == {True, False}


def test_expiry_windows_hold_on_the_day_of_loading(demo):
    today = timezone.localdate()
    days = sorted(
        (licence.expires_on - today).days
        for licence in Licence.objects.filter(state=LicenceState.ACTIVE)
    )
    assert all(d > 0 for d in days)
    for window in (30, 60, 90):
        assert any(window - 30 < d <= window for d in days), (window, days)
    expired = Licence.objects.get(state=LicenceState.EXPIRED)
    assert expired.expires_on < today <= expired.grace_period_ends_on()
    assert expired.is_renewable()


def test_dates_move_on_by_the_days_since_the_build():
    ensure_demo_users(password=None)  # the fixture refers to them by username
    objects, built_on = read_fixture()
    load_fixture(objects, shift_days=100)
    assert Licence.objects.order_by("-issued_at").first().issued_at.date() > built_on
    snapshot = SubmissionSnapshot.objects.first()
    text = json.dumps(snapshot.data, cls=SnapshotEncoder, sort_keys=True)
    assert snapshot.sha256 == hashlib.sha256(text.encode()).hexdigest()


def test_the_officer_can_take_the_paid_application_to_a_licence(demo):
    officer = demo.get(username="officer")
    ready = next(
        a for a in Application.objects.filter(state=ApplicationState.SUBMITTED) if a.invoice.is_paid
    )
    app_services.start_review(application_id=ready.pk, by=officer)
    # Art. 6.3(d): the due-diligence review, opened when the demo was loaded, comes first.
    review = ready.due_diligence
    with pytest.raises(ReviewOpen):
        app_services.approve_application(application_id=ready.pk, by=officer)
    for flag in review.open_flags():
        decide_flag(result_id=flag.pk, by=officer, disposition="cleared", comment="Checked.")
    complete_review(review_id=review.pk, by=officer)
    app_services.approve_application(application_id=ready.pk, by=officer)
    licence = Licence.objects.get(application=ready)
    assert is_valid_number(licence.number)
    assert Licence.objects.filter(number=licence.number).count() == 1


def test_every_file_the_demo_names_is_in_the_storage(demo):
    # The demo's printed letters and certificates come with their PDFs (fixtures/demo.media):
    # a fresh checkout's downloads are not broken links.
    from django.core.files.storage import default_storage

    from licensing.models import IssuedDocument

    documents = list(IssuedDocument.objects.all())
    assert documents
    for document in documents:
        assert default_storage.exists(document.file.name), document.file.name
        with document.file.open("rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == document.sha256
