"""The audit trail at the foot of every record's admin page: times in the authority's time zone
with the zone named, states by their labels, the changed fields as readable lines."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse

from licensing.models import Verb
from licensing.services import applications as app_services
from licensing.services.audit import record_event
from licensing.services.records import PERSONAL
from licensing.trail import audit_trail
from tests.factories import ApplicationFactory, PartyFactory

pytestmark = pytest.mark.django_db

WINTER = dt.datetime(2026, 1, 15, 10, 0, 0, tzinfo=dt.UTC)  # 11:00 in Oslo (CET, UTC+1)
SUMMER = dt.datetime(2026, 7, 1, 10, 0, 0, tzinfo=dt.UTC)  # 12:00 in Oslo (CEST, UTC+2)
DASH = "\N{EN DASH}"  # a value that was empty


def trail_rows(client: Any, obj: Any, **headers: Any) -> tuple[str, list[tuple[str, list[str]]]]:
    """The trail's heading row and its rows as (verb, [cell text, ...]) of the record's page."""
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    response = client.get(url, **headers)
    assert response.status_code == 200
    page = response.content.decode()
    trail = re.search(r'<fieldset class="module audit-trail".*?</fieldset>', page, re.S)
    assert trail is not None
    head = re.search(r"<thead>(.*?)</thead>", trail.group(0), re.S)
    assert head is not None
    rows = [
        (verb, [html.unescape(re.sub(r"<[^>]+>", " ", c)).strip() for c in cells])
        for verb, body in re.findall(r'<tr data-verb="(\w+)">(.*?)</tr>', trail.group(0), re.S)
        for cells in [re.findall(r"<td>(.*?)</td>", body, re.S)]
    ]
    return html.unescape(head.group(1)), rows


def test_the_trail_names_the_time_zone_its_times_are_shown_in(client, officer):
    application = ApplicationFactory()
    with time_machine.travel(WINTER, tick=False):
        record_event(application, verb=Verb.EDITED, by=officer, changes={"step": "sites"})
    with time_machine.travel(SUMMER, tick=False):
        record_event(application, verb=Verb.EDITED, by=officer, changes={"step": "products"})
    client.force_login(officer)
    head, rows = trail_rows(client, application)
    assert "When (Europe/Oslo)" in head
    assert "UTC" not in head
    # Stored in UTC, shown in Oslo's time with the abbreviation in force on the day.
    assert [cells[0] for _verb, cells in rows] == [
        "2026-01-15 11:00:00 CET",
        "2026-07-01 12:00:00 CEST",
    ]


def test_the_trail_follows_the_time_zone_in_use(client, officer, settings):
    settings.TIME_ZONE = "America/New_York"
    application = ApplicationFactory()
    with time_machine.travel(WINTER, tick=False):
        record_event(application, verb=Verb.EDITED, by=officer, changes={"step": "sites"})
    client.force_login(officer)
    head, rows = trail_rows(client, application)
    assert "When (America/New_York)" in head
    assert rows[0][1][0] == "2026-01-15 05:00:00 EST"


def test_other_times_on_the_officers_pages_name_their_zone_the_same_way():
    rendered = Template("{% load trail %}{{ at|local_time }}").render(Context({"at": SUMMER}))
    assert rendered == "2026-07-01 12:00 CEST"


def test_states_are_shown_by_their_labels(client, officer):
    application = ApplicationFactory(submitted=True)
    app_services.start_review(application_id=application.pk, by=officer)
    client.force_login(officer)
    _head, rows = trail_rows(client, application)
    states = dict((verb, cells[3]) for verb, cells in rows)
    assert states["review_started"] == "submitted → in review"
    # In the reader's language.
    _head, rows = trail_rows(client, application, HTTP_ACCEPT_LANGUAGE="nb")
    assert dict(rows)["review_started"][3] == "sendt inn → under behandling"


def test_the_details_are_readable_lines_with_personal_data_markers_kept(client, officer):
    application = ApplicationFactory(declared=True)
    record_event(
        application,
        verb=Verb.EDITED,
        by=officer,
        changes={
            "effective_on": {"from": None, "to": "2026-03-01"},
            "declaration_accepted": True,
            "activities": ["import", "wholesale"],
            "email": PERSONAL,
            "fields": {"street_address": {"from": "Storgata 1", "to": "Storgata 2"}},
        },
    )
    client.force_login(officer)
    _head, rows = trail_rows(client, application)
    (details,) = [cells[5] for verb, cells in rows if verb == "edited"]
    # By the changes' keys, the same on every database (PostgreSQL's JSON keeps no order).
    assert details.splitlines() == [
        "activities: import, wholesale",
        "declaration accepted: yes",
        f"change takes effect on: {DASH} → 2026-03-01",
        f"email: {PERSONAL}",
        "fields:",
        "    street address: Storgata 1 → Storgata 2",
    ]
    assert "{" not in details and "'" not in details  # no Python dict


def test_every_records_trail_is_rendered_the_same_way(client, officer):
    party = PartyFactory()
    with time_machine.travel(SUMMER, tick=False):
        record_event(
            party,
            verb=Verb.EDITED,
            by=officer,
            changes={"trade_name": {"from": "", "to": "Tobakk AS"}},
        )
    client.force_login(officer)
    head, rows = trail_rows(client, party)
    assert "When (Europe/Oslo)" in head
    ((_verb, cells),) = rows
    assert cells[0] == "2026-07-01 12:00:00 CEST"
    assert cells[5] == f"trade name: {DASH} → Tobakk AS"


def test_the_applicants_timeline_reads_the_records_own_events_only(officer):
    application = ApplicationFactory(submitted=True)
    app_services.start_review(application_id=application.pk, by=officer)
    assert [event.verb for event in audit_trail(application)] == [Verb.REVIEW_STARTED]
