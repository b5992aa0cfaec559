"""The "done when" of periodic returns (issue 17), in a real browser: the demo's Hungarian
licensee files its quarterly return on a phone, in Hungarian, one line of it a sale to a party
that holds no licence; the officer sees the flag on the return's page and the party's risk
score risen on its page; the overdue return of another demo licensee gets exactly one chaser,
however often the job runs. Screenshots go to /tmp/returns-*.png for a person to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from duediligence.models import ReturnCheckResult
from duediligence.services.risk import party_risk
from licensing.models import Party
from licensing.services.accounts import language_of
from returns.demo import HUNGARIAN_PARTY, HUNGARIAN_USERNAME
from returns.models import ReminderKind, Return, ReturnPeriod, ReturnReminder
from returns.tasks import run_return_jobs
from tests.browser.demo import admin_log_in
from tests.browser.test_destruction_flow import PHONE, fits, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=10_000)
SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person, never in the repository
# Art. 7.4, 14.1(g): a Hungarian retailer with a well-formed company number and no licence.
UNLICENSED = "Sarki Trafik Kft."


def test_a_hungarian_licensee_files_on_a_phone_and_the_officer_sees_the_flag(
    demo: None, new_page: Any, live_server: Any
) -> None:
    from django.contrib.auth import get_user_model

    party = Party.objects.get(legal_name=HUNGARIAN_PARTY)
    period = ReturnPeriod.objects.get(
        party=party, filed_at__isnull=True, ends_on__lt=timezone.localdate()
    )
    assert period.frequency == "quarterly"
    risk_before = party_risk(party.pk)[0]
    user = get_user_model().objects.get(username=HUNGARIAN_USERNAME)

    # --- The licensee, on a phone, in Hungarian ------------------------------------------------
    page = signed_in(new_page, live_server, user, **PHONE)
    # The cookie the log-in page sets from the user's language (the accounts tests prove it).
    assert language_of(user) == "hu"
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "hu", "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/portal/returns/")
    expect(page.locator("html")).to_have_attribute("lang", "hu")
    fits(page)
    page.locator(f"a[href='/portal/returns/{period.pk}/']").first.click()
    page.locator(f"a[href='/portal/returns/{period.pk}/file/']").first.click()
    with translation.override("hu"):
        heading = gettext("File the return")
    assert heading != "File the return"
    expect(page.locator("h1")).to_have_text(heading)
    fits(page)
    # Raw tobacco grown and sold, in kilograms: 500 + 2,000 - 1,800 = 700.
    page.locator("[name='line-0-product_type']").select_option("raw_tobacco")
    page.locator("[name='line-0-measure']").select_option("kg")
    page.locator("[name='line-0-stock_start']").fill("500")
    page.locator("[name='line-0-produced']").fill("2000")
    page.locator("[name='line-0-sold']").fill("1800")
    page.locator("[name='line-0-stock_end']").fill("700")
    page.locator("[name='counterpart-0-role']").select_option("customer")
    page.locator("[name='counterpart-0-name']").fill(UNLICENSED)
    page.locator("[name='counterpart-0-country']").select_option("HU")
    page.locator("[name='counterpart-0-registration_number']").fill("01-09-562739")
    page.locator("[name='counterpart-0-product_type']").select_option("raw_tobacco")
    page.locator("[name='counterpart-0-measure']").select_option("kg")
    page.locator("[name='counterpart-0-quantity']").fill("1800")
    page.screenshot(path=str(SCREENSHOTS / "returns-form.png"), full_page=True)
    page.locator("form button[type='submit']").last.click()
    page.wait_for_url(f"**/portal/returns/{period.pk}/")
    expect(page.locator("main")).to_contain_text(UNLICENSED)
    fits(page)
    page.screenshot(path=str(SCREENSHOTS / "returns-filed.png"), full_page=True)

    filed = Return.objects.get(period=period)
    assert filed.filed_by == user and filed.version == 1
    # The checks ran once the filing committed (the job runs eagerly here).
    flag = ReturnCheckResult.objects.get(filed_return=filed, code="counterparts")
    assert flag.outcome == "flag"
    assert UNLICENSED in flag.summary
    risk_after = party_risk(party.pk)[0]
    assert risk_after > risk_before

    # --- The officer ------------------------------------------------------------------------------
    officer = new_page()
    admin_log_in(officer, live_server, "officer")
    officer.goto(f"{live_server.url}/admin/returns/returnperiod/?status=flagged")
    expect(officer.locator("#result_list")).to_contain_text(period.licence.number)
    officer.goto(f"{live_server.url}/admin/returns/return/{filed.pk}/change/")
    expect(officer.locator("#content")).to_contain_text("Art. 7.4")
    expect(officer.locator("#content")).to_contain_text(UNLICENSED)
    officer.screenshot(path=str(SCREENSHOTS / "returns-officer.png"), full_page=True)
    officer.goto(f"{live_server.url}/admin/licensing/party/{party.pk}/change/")
    expect(officer.locator(".party-risk strong")).to_have_text(str(risk_after))
    expect(officer.locator(".party-risk")).to_contain_text("Art. 7.4")


def test_the_overdue_return_of_another_licensee_gets_exactly_one_chaser(demo: None) -> None:
    overdue = ReturnPeriod.objects.filter(
        filed_at__isnull=True, due_on__lt=timezone.localdate(), reminders__isnull=True
    ).exclude(party__legal_name=HUNGARIAN_PARTY)
    period = overdue.get()
    mail.outbox.clear()

    run_return_jobs()
    run_return_jobs()

    chasers = ReturnReminder.objects.filter(period=period)
    assert chasers.count() == 1
    assert chasers.get().kind == ReminderKind.AFTER
    sent = [m for m in mail.outbox if period.licence.number in m.body]
    assert len(sent) == 1
    assert sent[0].to == [period.party.email]
    # The overdue return opened the officers' task, once.
    assert ReturnPeriod.objects.get(pk=period.pk).task.closed_at is None
