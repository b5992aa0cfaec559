"""The tamper-evident audit trail (licensing/audit_chain.py, docs/audit-chain.md): each event is
sealed with a keyed digest and linked into a hash chain after its transaction commits; the
verifier names the first broken link when a row is altered, deleted or inserted behind the
application's back, by the table owner with raw SQL and the append-only triggers disabled."""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from licensing.audit_chain import link_pending_events, run_nightly_verification
from licensing.audit_hashing import event_digest
from licensing.audit_verify import verify_chain
from licensing.exceptions import AuditTrailIsAppendOnly
from licensing.models import AuditChainLink, AuditCheckpoint, AuditEvent, Verb
from licensing.services.audit import record_event
from licensing.tasks import verify_audit_chain
from tests import factories as f

pytestmark = pytest.mark.django_db

OLD = timezone.now() - dt.timedelta(days=2)  # past the grace period for unlinked events


@contextmanager
def as_table_owner() -> Iterator[Any]:
    """Raw SQL as the tables' owner, the append-only triggers disabled (on PostgreSQL; SQLite
    has only the ORM's guard). What a DBA or a stolen owner password can do."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events
            for table in ("licensing_auditevent", "licensing_auditchainlink"):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield cursor
        if connection.vendor == "postgresql":
            for table in ("licensing_auditevent", "licensing_auditchainlink"):
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _fail(**kwargs: Any) -> int:
    raise RuntimeError("database went away")


@pytest.fixture
def record(officer, django_capture_on_commit_callbacks) -> Callable[..., AuditEvent]:
    """Record one event in its own (captured) transaction and run what follows the commit."""
    licence = f.LicenceFactory()

    def write(reason: str = "Noted.", **kwargs: Any) -> AuditEvent:
        with django_capture_on_commit_callbacks(execute=True):
            return record_event(licence, verb=Verb.EDITED, by=officer, reason=reason, **kwargs)

    return write


@pytest.fixture
def chain(record) -> list[AuditEvent]:
    return [record(f"Note {n}.") for n in range(1, 4)]


def test_an_event_is_linked_once_its_transaction_commits(
    officer, django_capture_on_commit_callbacks
):
    licence = f.LicenceFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = record_event(licence, verb=Verb.EDITED, by=officer, reason="One.")
        second = record_event(licence, verb=Verb.EDITED, by=officer, reason="Two.")
    assert not AuditChainLink.objects.exists()  # nothing is linked inside the transaction
    assert len(callbacks) == 1  # one linking per transaction, however many events
    callbacks[0]()
    links = list(AuditChainLink.objects.order_by("position"))
    assert [(link.position, link.event_id) for link in links] == [(1, first.pk), (2, second.pk)]
    assert links[1].previous_hash == links[0].hash
    assert verify_chain().ok


def test_a_failed_linking_never_fails_the_request(record, monkeypatch, caplog):
    monkeypatch.setattr("licensing.audit_chain.link_pending_events", _fail)
    event = record()
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert "nightly job will catch up" in caplog.text
    monkeypatch.undo()
    assert link_pending_events(full=True) == 1


AWKWARD = {
    "z": {"b": [1, 2, {"y": None, "x": True}], "a": "Ærøskøbing, Győr ✓ 税"},
    "amount": Decimal("12.30"),
    "due": dt.date(2027, 2, 28),
    "at": dt.datetime(2026, 12, 4, 17, 0, 0, 123456, tzinfo=dt.UTC),
    "floats": [0.1, 1.0, -0.0, 1e20, 1.5e-07, 123456.789],
    "big": 2**63 - 1,
    "pair": ("from", "to"),
    7: "an integer key",
    "quote": 'say "no" \\ then \n newline',
}


@pytest.mark.parametrize(
    "changes",
    [AWKWARD, {"b": 1, "a": 2}, {"a": 2, "b": 1}, {}, {"emoji": "🚬", "nul-free": "\t"}],
    ids=["awkward", "order-1", "order-2", "empty", "unicode"],
)
def test_the_digest_holds_after_the_json_column_gives_the_changes_back(record, changes):
    event = record(changes=changes, reason="Line one.\r\nLine two.")
    stored = AuditEvent.objects.get(pk=event.pk)  # as PostgreSQL's JSONB or SQLite's JSON
    assert stored.digest == event.digest
    assert event_digest(stored) == stored.digest


KEYS = st.text(max_size=8).filter(lambda key: "\x00" not in key)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.decimals(allow_nan=False, allow_infinity=False, places=4)
    | st.dates()
    | st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)


@examples(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=st.dictionaries(KEYS, JSON_VALUES))
def test_any_changes_hash_the_same_after_the_round_trip(officer, changes):
    licence = f.LicenceFactory()
    event = record_event(licence, verb=Verb.EDITED, by=officer, changes=changes)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert event_digest(stored) == stored.digest == event.digest


def test_an_ipv6_address_hashes_as_the_database_prints_it(record):
    from licensing.services.audit import request_ip

    token = request_ip.set("2001:DB8:0:0::1")
    try:
        event = record()
    finally:
        request_ip.reset(token)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert event_digest(stored) == stored.digest == event.digest


def test_verify_audit_reports_an_intact_chain(chain):
    out = io.StringIO()
    call_command("verify_audit", "--full", stdout=out)
    assert f"Chain verified: 3 events, up to event {chain[-1].pk} (position 3)" in out.getvalue()


def _broken(**options: Any) -> tuple[int, str]:
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", stdout=io.StringIO(), stderr=err, **options)
    return int(str(exit_info.value.code)), err.getvalue()


def test_an_altered_event_is_named_as_the_first_broken_link(chain):
    with as_table_owner() as cursor:
        cursor.execute(
            "UPDATE licensing_auditevent SET reason = 'Nothing happened.' WHERE id = %s",
            [chain[1].pk],
        )
    report = verify_chain()
    assert not report.ok
    assert (report.first_broken.position, report.first_broken.event_id) == (2, chain[1].pk)
    assert "altered" in report.first_broken.reason
    code, err = _broken(full=True)
    assert code == 1
    assert f"First broken link: position 2, event {chain[1].pk}: the event has been altered" in err


def test_an_event_deleted_with_its_link_is_detected(chain):
    with as_table_owner() as cursor:
        cursor.execute("DELETE FROM licensing_auditchainlink WHERE event_id = %s", [chain[1].pk])
        cursor.execute("DELETE FROM licensing_auditevent WHERE id = %s", [chain[1].pk])
    report = verify_chain()
    assert report.first_broken.position == 2
    assert "link 2 is missing (deleted)" in report.first_broken.reason


def test_a_rewritten_link_is_detected(chain):
    forged = event_digest(AuditEvent.objects.get(pk=chain[2].pk)).replace("a", "b", 1)
    with as_table_owner() as cursor:
        cursor.execute(
            "UPDATE licensing_auditchainlink SET event_digest = %s WHERE position = 3", [forged]
        )
    report = verify_chain()
    assert (report.first_broken.position, report.first_broken.reason) == (
        3,
        "the link has been altered",
    )


def test_an_event_inserted_behind_the_application_is_detected_and_never_linked(chain):
    model = AuditEvent.objects.get(pk=chain[0].pk)
    with as_table_owner() as cursor:
        cursor.execute(
            "INSERT INTO licensing_auditevent (at, actor_id, actor_label, content_type_id, "
            "object_id, object_repr, verb, from_state, to_state, reason, ip, changes, digest) "
            "VALUES (%s, %s, %s, %s, %s, %s, 'approved', '', '', 'Approved.', NULL, '{}', %s)",
            [
                OLD,
                model.actor_id,
                model.actor_label,
                model.content_type_id,
                model.object_id,
                model.object_repr,
                model.digest,  # a digest copied from a real event does not fit
            ],
        )
    forged = AuditEvent.objects.get(verb=Verb.APPROVED)
    assert link_pending_events(full=True) == 0
    report = verify_chain()
    assert (report.first_broken.position, report.first_broken.event_id) == (None, forged.pk)
    _code, err = _broken(full=True)
    assert f"First broken link: outside the chain, event {forged.pk}" in err


def test_a_tail_cut_off_after_a_checkpoint_is_detected(chain):
    _report, checkpoint = run_nightly_verification()  # seals position 3
    assert (checkpoint.ok, checkpoint.position) == (True, 3)
    with as_table_owner() as cursor:
        cursor.execute("DELETE FROM licensing_auditchainlink WHERE position >= 3")
        cursor.execute("DELETE FROM licensing_auditevent WHERE id >= %s", [chain[2].pk])
    report = verify_chain(full=True)
    assert report.first_broken.position == 3
    assert "no longer holds" in report.first_broken.reason
    assert "truncated" in report.first_broken.reason
    code, _err = _broken()  # the incremental check finds it too
    assert code == 1


def test_a_forged_checkpoint_is_detected(chain, client, auditor):
    checkpoint = _forge_checkpoint()
    report = verify_chain()
    assert f"checkpoint {checkpoint} has been forged or altered" in report.first_broken.reason
    client.force_login(auditor)
    page = client.get(reverse("admin:licensing_auditevent_changelist")).content.decode()
    assert "seal does not match (forged or altered)" in page


def _forge_checkpoint() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO licensing_auditcheckpoint (position, hash, last_event_id, "
            "events_verified, verified_at, ok, first_broken, mac) "
            "VALUES (3, %s, NULL, 3, %s, %s, '', %s)",
            ["f" * 64, timezone.now(), True, "0" * 64],
        )
    return AuditCheckpoint.objects.get().pk


def test_the_nightly_job_links_stragglers_verifies_and_seals_a_checkpoint(
    record, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    with monkeypatch.context() as patch:  # the linking after each commit fails
        patch.setattr("licensing.audit_chain.link_pending_events", _fail)
        events = [record() for _ in range(3)]
    assert not AuditChainLink.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert verify_audit_chain.delay().get() is True
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.ok, checkpoint.position, checkpoint.last_event_id) == (
        True,
        3,
        events[-1].pk,
    )
    job = AuditEvent.objects.for_object(checkpoint).get()
    assert (job.verb, job.actor_label) == (Verb.CHAIN_VERIFIED, "system")
    assert AuditChainLink.objects.count() == 4  # the job's event is linked after its commit
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert verify_audit_chain.delay().get() is True  # a second run changes nothing wrong
    assert AuditCheckpoint.objects.count() == 2
    assert verify_chain(full=True).ok


def test_a_break_alerts_every_active_senior_officer_once_a_day(
    chain, senior, senior2, django_capture_on_commit_callbacks, mailoutbox
):
    senior2.is_active = False
    senior2.save()
    with as_table_owner() as cursor:
        cursor.execute("UPDATE licensing_auditevent SET reason = '' WHERE id = %s", [chain[0].pk])
    for _ in range(2):  # a retry or a second run the same day sends nothing again
        with django_capture_on_commit_callbacks(execute=True):
            assert verify_audit_chain.delay().get() is False
    assert [mail.to for mail in mailoutbox] == [[senior.email]]
    mail = mailoutbox[0]
    assert mail.subject == "The audit trail's hash chain is broken"
    assert f"position 1, event {chain[0].pk}: the event has been altered" in mail.body
    assert reverse("admin:licensing_auditevent_changelist") in mail.body
    checkpoint = AuditCheckpoint.objects.order_by("pk").last()
    assert not checkpoint.ok
    assert AuditEvent.objects.for_object(checkpoint).get().verb == Verb.CHAIN_BROKEN


def test_the_auditor_sees_the_chain_state_above_the_events(chain, client, auditor):
    client.force_login(auditor)
    url = reverse("admin:licensing_auditevent_changelist")
    assert "has not been verified yet" in client.get(url).content.decode()
    _report, checkpoint = run_nightly_verification()
    page = client.get(url).content.decode()
    assert f"Chain verified up to event {checkpoint.last_event_id} at" in page
    assert 'class="success"' in page
    with as_table_owner() as cursor:
        cursor.execute("UPDATE licensing_auditevent SET reason = '' WHERE id = %s", [chain[1].pk])
    run_nightly_verification()
    page = client.get(url).content.decode()
    assert f"Chain broken at position 2, event {chain[1].pk}: the event has been altered" in page
    assert 'class="error"' in page
    assert client.get(reverse("admin:licensing_auditcheckpoint_changelist")).status_code == 200


def test_only_auditors_and_superusers_read_the_checkpoints(client, officer, senior, auditor):
    url = reverse("admin:licensing_auditcheckpoint_changelist")
    for user, status in ((officer, 403), (senior, 403), (auditor, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status
    client.force_login(auditor)
    assert client.get(reverse("admin:licensing_auditcheckpoint_add")).status_code == 403


def test_the_migration_seals_and_links_the_events_it_finds(
    officer, django_capture_on_commit_callbacks
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("licensing.migrations.0027_audit_chain")
    licence = f.LicenceFactory()
    with django_capture_on_commit_callbacks(execute=False):  # as before the chain existed
        events = [record_event(licence, verb=Verb.EDITED, by=officer) for _ in range(5)]
    with as_table_owner() as cursor:
        cursor.execute("UPDATE licensing_auditevent SET digest = ''")
    # What the migration's schema editor offers the function (SQLite's cannot be opened
    # inside the test's transaction).
    editor = SimpleNamespace(
        connection=connection,
        execute=lambda sql, params=None: connection.cursor().execute(sql),
    )
    migration.seal_existing_events(apps, editor)
    links = list(AuditChainLink.objects.order_by("position").values_list("position", "event"))
    assert links == [(n, event.pk) for n, event in enumerate(events, start=1)]
    assert verify_chain(full=True).ok


def test_the_demo_loads_with_an_intact_chain(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    assert AuditEvent.objects.exists()
    assert AuditChainLink.objects.count() == AuditEvent.objects.count()
    assert verify_chain(full=True).ok


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE licensing_auditchainlink SET hash = %s",
        "DELETE FROM licensing_auditchainlink WHERE hash <> %s",
        "UPDATE licensing_auditcheckpoint SET mac = %s",
        "DELETE FROM licensing_auditcheckpoint WHERE mac <> %s",
    ],
    ids=["update-link", "delete-link", "update-checkpoint", "delete-checkpoint"],
)
def test_the_database_refuses_to_change_links_and_checkpoints(chain, sql):
    run_nightly_verification()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, ["0" * 64])
    assert verify_chain(full=True).ok


def test_the_orm_refuses_to_change_links_and_checkpoints(chain):
    _report, checkpoint = run_nightly_verification()
    link = AuditChainLink.objects.get(position=1)
    for row, model in ((link, AuditChainLink), (checkpoint, AuditCheckpoint)):
        with pytest.raises(AuditTrailIsAppendOnly):
            row.save()
        with pytest.raises(AuditTrailIsAppendOnly):
            row.delete()
        with pytest.raises(AuditTrailIsAppendOnly):
            model.objects.all().update(hash="")
        with pytest.raises(AuditTrailIsAppendOnly):
            model.objects.all().delete()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_events_written_at_once_by_many_transactions_end_in_one_gapless_chain(officer):
    licence = f.LicenceFactory()
    writers, per_writer = 6, 5
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(per_writer):
                with transaction.atomic():  # each commit links what is pending, under the lock
                    record_event(licence, verb=Verb.EDITED, by=officer, reason=f"{n}.{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    total = writers * per_writer
    positions = list(AuditChainLink.objects.values_list("position", flat=True))
    assert positions == list(range(1, total + 1))
    assert not AuditEvent.objects.filter(chain_link__isnull=True).exists()
    report = verify_chain(full=True)
    assert (report.ok, report.events_verified) == (True, total)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_commits_late_links_its_own_events(officer, monkeypatch):
    monkeypatch.setattr("licensing.audit_chain.LOOKBACK_IDS", 2)
    licence = f.LicenceFactory()
    written, go_on = threading.Event(), threading.Event()
    late: list[int] = []

    def slow() -> None:
        try:
            with transaction.atomic():
                late.append(record_event(licence, verb=Verb.EDITED, by=officer, reason="Slow.").pk)
                written.set()
                go_on.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow)
    thread.start()
    assert written.wait(10)
    for n in range(5):  # later events commit first and move the head past the look-back
        with transaction.atomic():
            record_event(licence, verb=Verb.EDITED, by=officer, reason=f"Fast {n}.")
    go_on.set()
    thread.join()
    assert AuditChainLink.objects.get(event_id=late[0]).position == 6
    assert verify_chain(full=True).ok
