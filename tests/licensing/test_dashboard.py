"""The officers' dashboard on the admin's home page: counts by state, the officer's queue and
deadlines, licences expiring and in their grace period, reminders and their delivery, and the
chart of expiries per month; only for officers, and counting only what the user may see."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from defusedxml import ElementTree as ET
from django.utils import timezone

from licensing import dashboard
from licensing.models import LicenceState, Notification, NotificationStatus
from licensing.services import reminders
from tests.factories import ApplicationFactory, LicenceFactory, PartyFactory

TERM = dt.timedelta(days=730)


def ends_in(days: int, **kwargs):
    return LicenceFactory(
        valid_from=timezone.localdate() + dt.timedelta(days=days) - TERM, **kwargs
    )


@pytest.fixture
def world(officer, officer2, django_capture_on_commit_callbacks):
    ends_in(10)
    ends_in(45)
    soon = ends_in(85)
    ends_in(400)
    ends_in(20, suspended=True)
    LicenceFactory(expired=True)  # ten days ago: within the grace period
    old = LicenceFactory(expired=True)
    type(old).objects.filter(pk=old.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=200)
    )
    mine = ApplicationFactory(in_review=True, assigned_officer=officer)
    ApplicationFactory(in_review=True, assigned_officer=officer2)
    ApplicationFactory(submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_expiry_reminder(licence_id=soon.pk)  # its 90-day reminder, sent
    return {"mine": mine}


def page(client, user):
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def number_before(text: str, html: str) -> int:
    match = re.search(r"<strong>(\d+)</strong>\s*" + re.escape(text), html)
    assert match, f"no count for {text!r}"
    return int(match.group(1))


@pytest.mark.django_db
def test_the_officer_sees_the_dashboard_above_the_app_list(client, officer, world):
    html = page(client, officer)
    assert 'id="dashboard-title"' in html
    assert "/admin/licensing/licence/" in html  # the app list is still there
    # Expiring within 30, 60 and 90 days, linked to the filtered licence list.
    assert re.search(r'href="/admin/licensing/licence/\?expires=30"><strong>1</strong>', html)
    assert re.search(r'href="/admin/licensing/licence/\?expires=60"><strong>2</strong>', html)
    assert re.search(r'href="/admin/licensing/licence/\?expires=90"><strong>3</strong>', html)
    assert number_before("expired, still renewable", html) == 1
    # Licences and applications by state.
    assert re.search(r"state__exact=active\"><strong>4</strong>", html)
    assert re.search(r"state__exact=suspended\"><strong>1</strong>", html)
    assert re.search(r"state__exact=in_review\"><strong>2</strong>", html)
    # The officer's own queue and its deadline.
    assert "1 open case assigned to you" in html
    assert "1 open case not assigned" in html
    assert world["mine"].reference in html
    # The reminder written, and its delivery.
    assert number_before("sent", html) == 1


@pytest.mark.django_db
def test_the_chart_is_an_svg_of_expiries_per_month(client, officer, world):
    html = page(client, officer)
    start = html.index('<svg role="img"')
    svg = html[start : html.index("</svg>", start) + len("</svg>")]
    root = ET.fromstring(svg)  # well formed: every label escaped
    bars = root.findall(".//{http://www.w3.org/2000/svg}rect")
    assert len(bars) == dashboard.CHART_MONTHS
    titles = [t.text for t in root.findall(".//{http://www.w3.org/2000/svg}title")]
    assert sum(int(t.rsplit(": ", 1)[1]) for t in titles) == 3  # 10, 45 and 85 days; not 400


@pytest.mark.django_db
def test_reminders_count_by_delivery_status(client, officer, world):
    Notification.objects.filter(key__startswith="expiry_reminder:").update(
        status=NotificationStatus.FAILED
    )
    html = page(client, officer)
    assert number_before("failed", html) == 1
    assert number_before("sent", html) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["inspector", "registrar", "auditor"])
def test_other_staff_see_the_app_list_without_the_dashboard(request, client, who, world):
    html = page(client, request.getfixturevalue(who))
    assert 'id="dashboard-title"' not in html


@pytest.mark.django_db
def test_an_applicant_cannot_open_the_admin(client, applicant_for):
    client.force_login(applicant_for(PartyFactory()))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_counts_cover_only_what_the_user_may_see(applicant_for, world):
    party = PartyFactory()
    own = ends_in(15, holder=party)
    user = applicant_for(party)
    today = timezone.localdate()
    states = {t.label: t.count for t in dashboard.licence_states(user)}
    assert states[str(LicenceState.ACTIVE.label)] == 1
    by_day = dashboard.expiries_by_day(user, today)
    assert [t.count for t in dashboard.expiring(by_day, today)] == [1, 1, 1]
    assert sum(b.count for b in dashboard.expiries_per_month(by_day, today)) == 1
    assert sum(t.count for t in dashboard.reminders_sent(user, today)) == 0
    assert own.holder == party


@pytest.mark.django_db
def test_the_grace_filter_lists_expired_renewable_licences(client, officer, world):
    client.force_login(officer)
    response = client.get("/admin/licensing/licence/?expires=grace")
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1
    assert response.context["cl"].result_list[0].state == LicenceState.EXPIRED


@pytest.mark.django_db
def test_the_dashboard_reads_a_bounded_number_of_queries(
    client, officer, world, django_assert_max_num_queries
):
    client.force_login(officer)
    with django_assert_max_num_queries(25):
        assert client.get("/admin/").status_code == 200
