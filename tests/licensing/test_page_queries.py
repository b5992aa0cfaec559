"""The officers' pages once warm: the session, the user, its permissions and its second-factor
device come from the cache (licensing/auth_cache.py), so a list costs its own count and rows;
and whatever changes an officer's access takes effect on the very next request (ASVS V8.2.1,
V8.3.1: access follows the authorisation in force)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from licensing.models import Verb
from licensing.services.audit import record_event
from licensing.services.versions import write_version
from tests.factories import (
    ApplicationFactory,
    CriminalRecordDeclarationFactory,
    LicenceFactory,
    PartyFactory,
    PersonFactory,
    SiteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LICENCES = reverse("admin:licensing_licence_changelist")
APPLICATIONS = reverse("admin:licensing_application_changelist")
# On PostgreSQL the unfiltered list first asks the planner for the table's size (it counts only
# below 100,000 rows, as in these tests); at a national register the estimate replaces the count.
ESTIMATE = 0 if connection.vendor == "sqlite" else 1
# The look-ups of who is asking: the session, the user, its permissions, its device.
AUTH_TABLES = (
    'FROM "django_session"',
    'FROM "auth_user" WHERE',
    'FROM "auth_permission"',
    'FROM "otp_totp_totpdevice"',
)


@pytest.fixture
def cached(settings: Any) -> None:
    """Production's settings with Redis: sessions and the user's access from the cache (here
    the test's own local-memory cache, fresh for each test)."""
    settings.AUTH_CACHE_SECONDS = 300
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def officer_client(cached: None, client: Any, officer: Any) -> Any:
    client.force_login(officer)
    client.get(LICENCES)  # warms the cache
    return client


def auth_queries(captured: Any) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if any(table in query["sql"] for table in AUTH_TABLES)
    ]


def test_a_warm_licence_list_reads_only_its_count_and_rows(
    officer_client: Any, django_assert_max_num_queries: Any
) -> None:
    LicenceFactory.create_batch(3)
    with django_assert_max_num_queries(2 + ESTIMATE) as captured:
        response = officer_client.get(LICENCES)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 3
    assert auth_queries(captured) == []


def test_the_expiring_licences_and_the_open_queue_in_two_queries(
    officer_client: Any, django_assert_max_num_queries: Any
) -> None:
    LicenceFactory.create_batch(2)
    ApplicationFactory.create_batch(2, submitted=True)
    officer_client.get(APPLICATIONS)
    for url in (f"{LICENCES}?expires=30", f"{APPLICATIONS}?queue=open"):
        with django_assert_max_num_queries(2) as captured:
            assert officer_client.get(url).status_code == 200
        assert auth_queries(captured) == []


def test_the_party_page_reads_a_page_of_each_panel_whatever_the_party_holds(
    officer_client: Any, officer: Any, django_assert_max_num_queries: Any
) -> None:
    party = PartyFactory()
    for n in range(12):
        SiteFactory(party=party, name=f"Paged site {n:02d}")
    persons = PersonFactory.create_batch(3, party=party)
    for n in range(12):
        CriminalRecordDeclarationFactory(party=party, person=persons[n % 3])
    for n in range(30):
        record_event(party, verb=Verb.EDITED, by=officer, changes={"n": n})
    url = reverse("admin:licensing_party_change", args=[party.pk])
    officer_client.get(url)
    # One query per inline and panel, none per row (a declaration names its person, from a
    # select of the party's persons) and none for the user; the party is read once. The risk
    # panel reads the return flags and the overdue periods (Art. 7.4, 9.1) in one query each,
    # and the seizures the party is tied to (Art. 18): seized from it, its machines' serials.
    # One more reads its tracking-and-tracing identifier codes, every one at once (Reg. (EU)
    # 2018/574 Art. 15: the economic operator codes, active or deactivated). One more reads the
    # register of disclosures about it (Art. 22.2).
    with django_assert_max_num_queries(21) as captured:
        response = officer_client.get(url)
    assert auth_queries(captured) == []
    party_reads = [
        q for q in captured.captured_queries if 'FROM "licensing_party" WHERE' in q["sql"]
    ]
    assert len([q for q in party_reads if "SELECT 1 AS" not in q["sql"]]) == 1
    content = response.content.decode()
    assert len(set(re.findall(r"Paged site \d\d", content))) == 10
    assert f"/admin/licensing/site/?party__id__exact={party.pk}" in content
    assert "site_page=2" in content
    second = officer_client.get(f"{url}?site_page=2").content.decode()
    assert set(re.findall(r"Paged site \d\d", second)) == {"Paged site 10", "Paged site 11"}


def trail_changes(content: str) -> list[int]:
    """The ``n`` of each event on the page's audit trail, in the order drawn."""
    trail = re.search(r'<fieldset class="module audit-trail".*?</fieldset>', content, re.S)
    assert trail is not None
    return [int(n) for n in re.findall(r"n: (\d+)", trail.group(0))]


def test_the_audit_trail_shows_its_latest_events_a_page_at_a_time(
    officer_client: Any, officer: Any
) -> None:
    party = PartyFactory()
    for n in range(30):
        record_event(party, verb=Verb.EDITED, by=officer, changes={"n": n})
    url = reverse("admin:licensing_party_change", args=[party.pk])
    first = officer_client.get(url).content.decode()
    # The latest 25, drawn oldest first as the trail reads; a link to the earlier ones.
    assert trail_changes(first) == list(range(5, 30))
    assert "trail_page=2#audit-title" in first
    assert "Later events" not in first
    second = officer_client.get(f"{url}?trail_page=2").content.decode()
    assert trail_changes(second) == list(range(5))
    assert "Earlier events" not in second
    assert "trail_page=1#audit-title" in second


def test_the_party_history_shows_its_newest_versions_a_page_at_a_time(
    officer_client: Any, officer: Any
) -> None:
    party = PartyFactory()
    start = timezone.now() - dt.timedelta(days=40)
    sites = [SiteFactory(party=party, name=f"Versioned site {n:02d}") for n in range(25)]
    for n, site in enumerate(sites):
        write_version(site, when=start + dt.timedelta(days=n), source="officer", by=officer)
    url = reverse("admin:licensing_party_change", args=[party.pk])

    def history(content: str) -> list[str]:
        panel = re.search(r'<section class="module record-history".*?</section>', content, re.S)
        assert panel is not None
        # Each entry names its site twice: the record, and its name that changed.
        return list(dict.fromkeys(re.findall(r"Versioned site (\d\d)", panel.group(0))))

    first = officer_client.get(url).content.decode()
    assert history(first) == [f"{n:02d}" for n in range(24, 4, -1)]
    # The history's "as of" form is not inside the party's form (a form in a form ends it).
    party_form = first[first.index('id="party_form"') :]
    assert "<form" not in party_form and 'form="as-of-form"' in party_form
    assert "history_page=2#history-title" in first
    second = officer_client.get(f"{url}?history_page=2").content.decode()
    assert history(second) == [f"{n:02d}" for n in range(4, -1, -1)]
    assert "Older versions" not in second


def test_the_sidebar_drawn_once_is_the_one_django_draws(officer_client: Any, officer: Any) -> None:
    party = PartyFactory()
    for url in (
        LICENCES,
        f"{LICENCES}?q=x",
        APPLICATIONS,
        reverse("admin:licensing_party_change", args=[party.pk]),
    ):
        officer_client.get(url)
        request = RequestFactory().get(url)
        request.user = officer
        django = render_to_string(
            "admin/app_list.html",
            {
                "app_list": admin.site.get_app_list(request),
                "show_changelinks": False,
                "request": request,
            },
        )
        assert admin.site.nav_sidebar(request) == django  # type: ignore[attr-defined]
        page = officer_client.get(url).content.decode()
        assert django in page


def test_the_sidebar_follows_the_officers_permissions(officer_client: Any) -> None:
    assert 'href="/admin/licensing/application/"' in officer_client.get(LICENCES).content.decode()
    group = Group.objects.get(name="licence officer")
    for codename in ("view_application", "change_application"):
        # The licensing app's (django-oauth-toolkit has an "application" model too).
        group.permissions.remove(
            Permission.objects.get(content_type__app_label="licensing", codename=codename)
        )
    page = officer_client.get(LICENCES).content.decode()
    assert 'href="/admin/licensing/application/"' not in page


def test_a_licence_page_reads_the_licence_once(officer_client: Any) -> None:
    licence = LicenceFactory()
    url = reverse("admin:licensing_licence_change", args=[licence.pk])
    officer_client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert officer_client.get(url).status_code == 200
    reads = [q for q in captured.captured_queries if 'FROM "licensing_licence" INNER' in q["sql"]]
    assert len(reads) == 1


def test_an_edit_on_the_second_page_of_sites_saves_that_site(officer_client: Any) -> None:
    party = PartyFactory()
    sites = [SiteFactory(party=party, name=f"Site {n:02d}") for n in range(11)]
    url = reverse("admin:licensing_party_change", args=[party.pk])
    page = officer_client.get(f"{url}?site_page=2")
    formset = next(
        f for f in page.context["inline_admin_formsets"] if f.opts.model.__name__ == "Site"
    )
    assert [form.instance.pk for form in formset.formset.forms] == [sites[10].pk]


def test_a_deactivated_officer_is_signed_out_on_the_next_request(
    officer_client: Any, officer: Any
) -> None:
    officer.is_active = False
    officer.save()
    response = officer_client.get(LICENCES)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_changed_password_ends_the_other_sessions_on_the_next_request(
    officer_client: Any, officer: Any
) -> None:
    officer.set_password("a new and long passphrase")
    officer.save()
    response = officer_client.get(LICENCES)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_an_officer_taken_out_of_the_group_loses_the_list_at_once(
    officer_client: Any, officer: Any
) -> None:
    officer.groups.clear()
    assert officer_client.get(LICENCES).status_code == 403


def test_a_permission_taken_from_the_group_is_gone_at_once(officer_client: Any) -> None:
    group = Group.objects.get(name="licence officer")
    for codename in ("view_licence", "change_licence"):
        # The licensing app's (django-oauth-toolkit has an "application" model too).
        group.permissions.remove(
            Permission.objects.get(content_type__app_label="licensing", codename=codename)
        )
    assert officer_client.get(LICENCES).status_code == 403


def test_a_group_emptied_from_its_side_refuses_its_members_at_once(
    officer_client: Any,
) -> None:
    Group.objects.get(name="licence officer").user_set.clear()
    assert officer_client.get(LICENCES).status_code == 403


def test_a_permission_given_counts_at_once(cached: None, client: Any) -> None:
    clerk = UserFactory(username="clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get(APPLICATIONS).status_code == 403
    clerk.user_permissions.add(
        Permission.objects.get(content_type__app_label="licensing", codename="view_application")
    )
    assert client.get(APPLICATIONS).status_code == 200


def test_a_removed_second_factor_sends_the_officer_to_the_second_step(
    officer_client: Any, officer: Any
) -> None:
    # ASVS V6.3.3: the session was verified by this device; without it, it is not.
    TOTPDevice.objects.filter(user=officer).delete()
    response = officer_client.get(LICENCES)
    assert response.status_code == 302
    assert reverse("twofactor:verify") in response["Location"]


def test_an_unconfirmed_second_factor_no_longer_verifies_the_session(
    officer_client: Any, officer: Any
) -> None:
    device = TOTPDevice.objects.get(user=officer)
    device.confirmed = False
    device.save()
    response = officer_client.get(LICENCES)
    assert response.status_code == 302
    assert reverse("twofactor:verify") in response["Location"]


def test_without_the_cache_every_request_reads_the_user(
    client: Any, officer: Any, settings: Any
) -> None:
    settings.AUTH_CACHE_SECONDS = 0  # as without Redis
    client.force_login(officer)
    client.get(LICENCES)
    with CaptureQueriesContext(connection) as captured:
        client.get(LICENCES)
    assert any('FROM "auth_user" WHERE' in sql for sql in auth_queries(captured))
