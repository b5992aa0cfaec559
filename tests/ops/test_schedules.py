"""The scheduled jobs, visible to officers (issue 21): every entry of the beat schedule with how
often it runs, and its last run when beat keeps the schedule in Redis."""

from __future__ import annotations

import datetime as dt

import pytest
from celery.schedules import crontab
from django.conf import settings

from ops.schedules import every, scheduled_jobs

pytestmark = pytest.mark.django_db


def test_every_entry_of_the_schedule_is_listed_for_an_officer(client, officer):
    client.force_login(officer)
    response = client.get("/admin/schedules/")
    assert response.status_code == 200
    text = response.content.decode()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert name in text
        assert entry["task"] in text
    # Art. 6.3(f): the expiry reminders are among them.
    assert "licensing.tasks.send_expiry_reminders" in text
    assert client.get("/admin/").content.decode().count('href="/admin/schedules/"') == 1


def test_the_page_is_for_staff_only(client, applicant_for):
    from tests.factories import PartyFactory

    client.force_login(applicant_for(PartyFactory()))
    response = client.get("/admin/schedules/")
    assert response.status_code == 302  # the admin's log-in
    client.logout()
    assert client.get("/admin/schedules/").status_code == 302


@pytest.mark.parametrize(
    ("schedule", "said"),
    [
        (3600, "every hour"),
        (7200, "every 2 hours"),
        (dt.timedelta(days=1), "every day"),
        (20, "every 20 seconds"),
        (90, "every 90 seconds"),
        (crontab(hour=2, minute=41), "at minute 41, hour 2 (UTC), days *"),
    ],
)
def test_how_often_reads_plainly(schedule, said):
    assert every(schedule) == said


def test_without_redbeat_no_last_run_is_claimed(settings):
    settings.CELERY_BEAT_SCHEDULER = "celery.beat:PersistentScheduler"
    assert all(job.last_run is None for job in scheduled_jobs())
