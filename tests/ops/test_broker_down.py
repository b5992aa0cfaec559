"""The broker down (issue 21, *Bad input and faults*): a request that queues work after its
commit does not fail with it. Work that has a row of its own (a notification, a letter, a
batch) keeps the row and its sweep sends it once the broker is back; a single licence print,
which has no row until it is done, is refused with a message and nothing is printed.

The broker here is Redis on a port nothing listens on: the Celery app publishes for real (not
eagerly) and the connection is refused, as when Redis is down. The whole outage, with the
sweeps resuming the work on real workers, is in ``make cluster-test`` (tests/cluster)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from licensing.celery import app
from licensing.jobs import enqueue
from licensing.models import IssuedDocument, Notification, NotificationStatus
from licensing.services import licences as lic
from licensing.tasks import sweep_notifications
from tests.factories import IssuedDocumentFactory, LicenceFactory
from tests.licensing.worker_processes import free_port

pytestmark = pytest.mark.django_db


def _forget_connections() -> None:
    # What Celery itself does after a fork: the next publish opens a connection to the broker
    # now configured.
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def broker_down() -> Iterator[str]:
    before = app.conf.broker_url, app.conf.task_always_eager
    url = f"redis://127.0.0.1:{free_port()}/0"
    app.conf.broker_url, app.conf.task_always_eager = url, False
    _forget_connections()
    try:
        yield url
    finally:
        app.conf.broker_url, app.conf.task_always_eager = before
        _forget_connections()


def test_enqueue_logs_and_answers_false_when_the_broker_cannot_be_reached(
    broker_down: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="licensing.jobs"):
        assert enqueue(sweep_notifications) is False
    assert "could not queue licensing.tasks.sweep_notifications" in caplog.text


def test_a_decision_commits_and_its_mail_is_sent_by_the_sweep_once_the_broker_is_back(
    broker_down: str,
    officer: Any,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
    time_machine: Any,
) -> None:
    licence = LicenceFactory()
    with django_capture_on_commit_callbacks(execute=True):
        lic.suspend_licence(
            licence_id=licence.pk, by=officer, ground="other", reason="Stock missing."
        )
    licence.refresh_from_db()
    assert licence.state == "suspended"  # Art. 6.3: the decision stands
    notification = Notification.objects.get(template="licence_suspended")
    assert notification.status == NotificationStatus.QUEUED
    assert mailoutbox == []

    app.conf.task_always_eager = True  # the broker is back (here: the test's own thread)
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=10), tick=False)
    assert sweep_notifications.delay().get() == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert len(mailoutbox) == 1


def test_the_registrar_is_told_a_print_could_not_be_queued_and_nothing_is_printed(
    broker_down: str, client: Any, registrar: Any
) -> None:
    licence = LicenceFactory()
    IssuedDocumentFactory(licence=licence)
    client.force_login(registrar)
    url = reverse("admin:licensing_licence_action", args=[licence.pk, "reprint_licence"])
    page = client.post(url, {"reason": "Lost in the post"})
    assert page.status_code == 200  # the form again, with what was typed
    html = page.content.decode()
    assert "The licence could not be queued for printing" in html
    assert "Lost in the post" in html
    assert IssuedDocument.objects.filter(licence=licence).count() == 1

    app.conf.task_always_eager = True  # the broker is back: the same request goes through
    done = client.post(url, {"reason": "Lost in the post"})
    assert done.status_code == 302
    assert IssuedDocument.objects.filter(licence=licence).count() == 2


def test_a_withdrawal_takes_its_machines_out_of_the_index_without_the_broker(
    broker_down: str, officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Art. 7: a withdrawn application's declared machines no longer screen other applicants.
    from duediligence.models import ScreeningKey
    from duediligence.services.indexing import index_party
    from licensing.models import DeclaredMachine
    from licensing.services import applications
    from tests.factories import ApplicationFactory, SiteFactory

    application = ApplicationFactory(submitted=True)
    site = SiteFactory(party=application.party)
    machine = DeclaredMachine.objects.create(
        application=application, make="Hauni", model="Protos", serial_number="WD-1", site=site
    )
    index_party(application.party_id)
    keys = ScreeningKey.objects.filter(source_id=machine.pk, source_type__model="declaredmachine")
    assert keys.exists()
    with django_capture_on_commit_callbacks(execute=True):
        applications.withdraw_application(application_id=application.pk, by=officer)
    assert not keys.exists()
