"""The officers' returns screens through the admin: the queue and its filters, a return's page
with its lines and panels, who may read them, and closing an overdue-return task."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from licensing.admin import panels
from licensing.models import AuditEvent, Verb
from returns.models import ReturnTask
from tests.factories import UserFactory
from tests.factories.returns import (
    ReturnCounterpartFactory,
    ReturnFactory,
    ReturnLineFactory,
    ReturnPeriodFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:returns_returnperiod_changelist")
TASKS = reverse("admin:returns_returntask_changelist")


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def overdue_period(**kwargs: Any) -> Any:
    return ReturnPeriodFactory(starts_on=days(-120), ends_on=days(-60), due_on=days(-40), **kwargs)


def due_period() -> Any:
    return ReturnPeriodFactory(starts_on=days(-40), ends_on=days(-10), due_on=days(10))


def upcoming_period() -> Any:
    return ReturnPeriodFactory(starts_on=days(-5), ends_on=days(25), due_on=days(45))


def filed_period(flags: int = 0) -> Any:
    return ReturnFactory(
        period=ReturnPeriodFactory(starts_on=days(-100), ends_on=days(-70), due_on=days(-50)),
        flag_count=flags,
    ).period


@pytest.fixture
def queue() -> dict[str, Any]:
    return {
        "overdue": overdue_period(),
        "due": due_period(),
        "upcoming": upcoming_period(),
        "filed": filed_period(),
        "flagged": filed_period(flags=2),
    }


def numbers_on(page: Any) -> list[str]:
    html = page.content.decode()
    return re.findall(r'class="field-licence_number">(?:<a [^>]*>)?([^<]+)<', html)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("due", {"due"}),
        ("overdue", {"overdue"}),
        ("filed", {"filed", "flagged"}),
        ("flagged", {"flagged"}),
    ],
)
def test_the_queue_filters_by_status(
    client: Any, officer: Any, queue: dict[str, Any], status: str, expected: set[str]
) -> None:
    client.force_login(officer)
    page = client.get(QUEUE, {"status": status})
    assert page.status_code == 200
    assert set(numbers_on(page)) == {queue[name].licence.number for name in expected}


def test_the_queue_puts_overdue_returns_first_and_shows_status_version_and_flags(
    client: Any, officer: Any, queue: dict[str, Any]
) -> None:
    client.force_login(officer)
    page = client.get(QUEUE)
    numbers = numbers_on(page)
    assert numbers[0] == queue["overdue"].licence.number
    assert numbers[1] == queue["due"].licence.number
    assert numbers[-1] == queue["upcoming"].licence.number
    html = page.content.decode()
    assert 'data-status="overdue"' in html
    assert 'data-status="filed_late"' in html
    assert '<td class="field-flags">2</td>' in html
    assert '<td class="field-latest_version">1</td>' in html


def test_the_queue_searches_by_licence_number_and_licensee(
    client: Any, officer: Any, queue: dict[str, Any]
) -> None:
    client.force_login(officer)
    number = queue["due"].licence.number
    assert numbers_on(client.get(QUEUE, {"q": number})) == [number]
    name = queue["overdue"].party.legal_name
    assert numbers_on(client.get(QUEUE, {"q": name})) == [queue["overdue"].licence.number]


def queue_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(QUEUE).status_code == 200
    return len(captured)


# Production's settings (the session and the user's access from the cache, as in
# tests/licensing/test_page_queries.py): a warm list reads its count and its rows, and on
# PostgreSQL first the planner's estimate of the table's size.
QUEUE_QUERIES = 2 if connection.vendor == "sqlite" else 3


def test_the_queue_reads_a_fixed_number_of_queries_whatever_its_length(
    client: Any, officer: Any, queue: dict[str, Any], settings: Any
) -> None:
    settings.AUTH_CACHE_SECONDS = 300
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.force_login(officer)
    client.get(QUEUE)  # warms the cache
    assert queue_queries(client) == QUEUE_QUERIES
    for _ in range(3):
        ReturnFactory(flag_count=1)
        overdue_period()
    assert queue_queries(client) == QUEUE_QUERIES


def panel(request: Any, obj: Any) -> Any:
    return format_html('<section class="checks-panel">{}</section>', f"checks of {obj.pk}")


def test_a_return_page_is_read_only_with_its_lines_counterparts_panels_and_chart(
    client: Any, officer: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(panels._panels, "returns.return", [panel])
    line = ReturnLineFactory(produced=4321)
    filed = line.filed_return
    ReturnCounterpartFactory(filed_return=filed, name="Kunde Særlig AS")
    client.force_login(officer)
    page = client.get(reverse("admin:returns_return_change", args=[filed.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "4321" in html
    assert "Kunde Særlig AS" in html
    assert f'<section class="checks-panel">checks of {filed.pk}</section>' in html
    assert 'class="volumes-chart"' in html
    assert reverse("admin:returns_returnperiod_change", args=[filed.period_id]) in html
    assert reverse("admin:licensing_licence_change", args=[filed.period.licence_id]) in html
    assert 'name="_save"' not in html
    assert 'name="lines-0-produced"' not in html


def test_the_period_page_links_its_versions_and_draws_the_chart(client: Any, officer: Any) -> None:
    filed = ReturnFactory()
    client.force_login(officer)
    page = client.get(reverse("admin:returns_returnperiod_change", args=[filed.period_id]))
    html = page.content.decode()
    assert reverse("admin:returns_return_change", args=[filed.pk]) in html
    assert 'class="volumes-chart"' in html


def test_staff_without_the_permission_are_refused_and_auditors_may_read(
    client: Any, auditor: Any
) -> None:
    filed = ReturnFactory()
    pages = [
        QUEUE,
        reverse("admin:returns_returnperiod_change", args=[filed.period_id]),
        reverse("admin:returns_return_change", args=[filed.pk]),
        TASKS,
    ]
    client.force_login(UserFactory(is_staff=True))
    for url in pages:
        assert client.get(url).status_code == 403, url
    client.force_login(auditor)
    for url in pages:
        assert client.get(url).status_code == 200, url


def test_no_one_adds_or_deletes_returns_here(client: Any, senior: Any) -> None:
    filed = ReturnFactory()
    client.force_login(senior)
    assert client.get(reverse("admin:returns_returnperiod_add")).status_code == 403
    assert client.get(reverse("admin:returns_return_add")).status_code == 403
    delete = reverse("admin:returns_return_delete", args=[filed.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def open_task() -> ReturnTask:
    return ReturnTask.objects.create(period=overdue_period(), opened_on=days(-30))


def test_the_task_list_shows_open_tasks_by_default(client: Any, officer: Any) -> None:
    task = open_task()
    closed = ReturnTask.objects.create(
        period=overdue_period(), opened_on=days(-30), closed_at=timezone.now(), note="filed"
    )
    client.force_login(officer)
    html = client.get(TASKS).content.decode()
    assert task.period.licence.number in html
    assert closed.period.licence.number not in html
    assert reverse("admin:returns_returntask_close", args=[task.pk]) in html
    html = client.get(TASKS, {"tasks": "closed"}).content.decode()
    assert closed.period.licence.number in html


def test_an_officer_closes_a_task_with_a_note(client: Any, officer: Any) -> None:
    """Through ``returns.services.tasks.close_task(*, task_id, by, note)``."""
    task = open_task()
    client.force_login(officer)
    change = client.get(reverse("admin:returns_returntask_change", args=[task.pk]))
    url = reverse("admin:returns_returntask_close", args=[task.pk])
    assert url in change.content.decode()
    assert client.post(url, {"note": "  "}).status_code == 200  # a note is required
    assert ReturnTask.objects.get(pk=task.pk).closed_at is None
    response = client.post(url, {"note": "The licence was surrendered."})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.closed_at is not None
    assert task.closed_by == officer
    assert task.note == "The licence was surrendered."
    assert AuditEvent.objects.filter(verb=Verb.RETURN_TASK_CLOSED).count() == 1


def test_an_inspector_may_read_tasks_but_not_close_them(client: Any, inspector: Any) -> None:
    task = open_task()
    client.force_login(inspector)
    assert client.get(reverse("admin:returns_returntask_change", args=[task.pk])).status_code == 200
    url = reverse("admin:returns_returntask_close", args=[task.pk])
    assert client.post(url, {"note": "no"}).status_code == 403
    assert ReturnTask.objects.get(pk=task.pk).closed_at is None
