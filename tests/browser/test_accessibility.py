"""Issue 14: an automated WCAG 2.2 AA scan (axe-core through axe-playwright-python) of the
portal's, the inspector's and the public verification pages finds no violation, in every
language, on a phone (390 px) and on a desktop (1280 px).

One test per language walks the pages on the demo data: the applicant's home, drafts, every
step of a filing for Fjordtobakk AS (and the activities step posted empty, to show its error
state), the licences, a case, the reports, the correspondence language; the public /verify/
form (empty, then with a licence number) and /register/; the inspector's orders and
inspections. The Django admin's own pages are left out (the issue names the portal, the
inspector's and the verification pages)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from licensing.models import Application, ApplicationState, Licence, LicenceState, Party
from tests.browser.demo import admin_log_in, portal_sign_in
from tests.browser.test_portal_flow import PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("compiled_messages"),
]

expect.set_options(timeout=10_000)
APPLICANT_EMAIL = "applicant@authority.example"
HOLDER = "Fjordtobakk AS"
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
WIDTHS: dict[int, dict[str, Any]] = {390: PHONE, 1280: DESKTOP}
# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe-core has no "wcag22a" tag: 2.2's new A criteria
# carry no automated rule).
AXE_OPTIONS: dict[str, Any] = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
AXE = Axe()

# (path, width, rule id, first node's target)
Violation = tuple[str, int, str, str]


class Scanner:
    """One page per width, signed in as the same user; each page is scanned at every width."""

    def __init__(self, live_server: Any, new_page: Any, language: str) -> None:
        self.base = live_server.url
        self.new_page = new_page
        self.language = language
        self.violations: list[Violation] = []
        self.scanned: set[tuple[str, int]] = set()
        self.scans = 0

    def pages(self, sign_in: Callable[[Any], None] | None = None) -> dict[int, Any]:
        pages = {}
        for width, options in WIDTHS.items():
            page = self.new_page(**options)
            if sign_in is not None:
                sign_in(page)
            # After signing in: the portal's sign-in sets the cookie to the user's language.
            page.context.add_cookies(
                [{"name": "django_language", "value": self.language, "url": self.base}]
            )
            pages[width] = page
        return pages

    def scan(self, pages: dict[int, Any], path: str | None = None) -> None:
        """Scan each page (after loading ``path`` in it, when given)."""
        for width, page in pages.items():
            if path is not None:
                page.goto(self.base + path)
            self.check(page, width)

    def check(self, page: Any, width: int) -> None:
        expect(page.locator("html")).to_have_attribute("lang", self.language)
        path = page.url.removeprefix(self.base)
        self.scanned.add((path, width))
        self.scans += 1
        result = AXE.run(page, options=AXE_OPTIONS)
        for violation in result.response["violations"]:
            nodes = violation["nodes"]
            target = " ".join(str(t) for t in nodes[0]["target"]) if nodes else ""
            self.violations.append((path, width, violation["id"], target))

    def post_empty(self, pages: dict[int, Any], path: str, button: str = "main form") -> None:
        """Load ``path``, submit its form as it is, and scan the error state."""
        for width, page in pages.items():
            page.goto(self.base + path)
            page.locator(button).locator("button[type=submit]").first.click()
            expect(page.locator(".error-summary")).to_be_visible()
            self.check(page, width)


def applicant_signs_in(live_server: Any) -> Callable[[Any], None]:
    def sign_in(page: Any) -> None:
        portal_sign_in(page, live_server, APPLICANT_EMAIL)

    return sign_in


def inspector_signs_in(live_server: Any) -> Callable[[Any], None]:
    def sign_in(page: Any) -> None:
        admin_log_in(page, live_server, "inspector")

    return sign_in


def first_link(page: Any, pattern: str) -> str | None:
    """The path of the first link in ``main`` whose href matches ``pattern``."""
    hrefs = page.locator("main a[href]").evaluate_all("links => links.map(a => a.pathname)")
    return next((href for href in hrefs if re.search(pattern, href)), None)


def walk_the_portal(scanner: Scanner, live_server: Any) -> None:
    pages = scanner.pages(applicant_signs_in(live_server))
    phone = pages[390]
    party = Party.objects.get(legal_name=HOLDER)

    scanner.scan(pages, "/portal/")
    scanner.scan(pages, "/portal/apply/drafts/")
    scanner.scan(pages, "/portal/apply/")
    scanner.post_empty(pages, "/portal/apply/")  # no kind chosen
    scanner.scan(pages, "/portal/apply/new/legal/")
    scanner.post_empty(pages, "/portal/apply/new/legal/")  # a new company's identity, empty

    # A new filing for the licensed party starts at the activities step (the draft is created
    # there): posted empty first, for its error state.
    activities = f"/portal/apply/{party.public_id}/activities/"
    scanner.scan(pages, activities)
    scanner.post_empty(pages, activities)
    phone.goto(live_server.url + activities)
    phone.locator("main input[type=checkbox]").first.check()
    phone.locator("main form").locator("button[type=submit]").first.click()
    phone.wait_for_url(re.compile(r"/apply/[0-9a-f-]+/(?!activities/)[a-z]+/$"))
    draft = Application.objects.get(party=party, state=ApplicationState.DRAFT)
    for slug in (
        "identity",
        "tax",
        "affiliates",
        "people",
        "activities",
        "sites",
        "capacity",
        "products",
        "machines",
        "criminal",
        "bank",
        "markets",
        "documents",
    ):
        scanner.scan(pages, f"/portal/apply/{draft.public_id}/{slug}/")
    scanner.scan(pages, f"/portal/apply/{draft.public_id}/check/")
    scanner.post_empty(pages, f"/portal/apply/{draft.public_id}/check/")  # no declaration

    scanner.scan(pages, "/portal/licences/")
    licence = Licence.objects.filter(holder=party, state=LicenceState.ACTIVE).first()
    assert licence is not None
    scanner.scan(pages, f"/portal/licences/{licence.public_id}/")
    case = Application.objects.filter(
        party=party, state=ApplicationState.INFORMATION_REQUESTED
    ).first()
    assert case is not None
    scanner.scan(pages, f"/portal/cases/{case.public_id}/")
    scanner.scan(pages, f"/portal/cases/{case.public_id}/reply/")
    scanner.post_empty(pages, f"/portal/cases/{case.public_id}/reply/")
    scanner.scan(pages, "/portal/reports/")
    scanner.scan(pages, "/portal/account/correspondence/")
    scanner.scan(pages, "/portal/account/email/")
    scanner.scan(pages, "/portal/account/invite/")
    # The licence's own pages: renewal, the change notice (blank and with its errors), the
    # transfer request, the manufacturing equipment.
    for action in ("renew", "change", "transfer"):
        scanner.scan(pages, f"/portal/licences/{licence.public_id}/{action}/")
    scanner.post_empty(pages, f"/portal/licences/{licence.public_id}/change/")
    scanner.scan(pages, f"/portal/equipment/{licence.public_id}/")
    scanner.scan(pages, f"/portal/equipment/{licence.public_id}/acquire/")
    # A submitted application's fee, its payment and its withdrawal.
    submitted = (
        Application.objects.filter(party=party, state=ApplicationState.SUBMITTED)
        .exclude(invoice=None)
        .first()
    )
    if submitted is not None:
        for tail in ("fee/", "fee/pay/", "withdraw/"):
            scanner.scan(pages, f"/portal/cases/{submitted.public_id}/{tail}")

    # The public pages, signed out: the account pages first, then verification.
    public = scanner.pages()
    scanner.scan(public, "/portal/sign-in/")
    scanner.post_empty(public, "/portal/sign-in/")
    scanner.scan(public, "/portal/sign-up/")
    scanner.post_empty(public, "/portal/sign-up/")
    scanner.scan(public, "/portal/password-reset/")
    scanner.scan(public, "/verify/")
    scanner.scan(public, "/verify/?number=")  # the form's error state
    scanner.scan(public, f"/verify/{licence.number}/")
    scanner.scan(public, "/verify/TL-0000-000000-X/")  # not found
    scanner.scan(public, "/verify/document/")
    scanner.scan(public, "/register/")
    scanner.scan(public, "/register/?name=Fjordtobakk")


def walk_the_carriers_pages(scanner: Scanner, live_server: Any) -> None:
    """Art. 12.3: the transit notices of the demo's carrier, the form blank and with its
    errors, and the overdue notice with its exit form."""
    from cooperation.demo import CARRIER_USERNAME

    def sign_in(page: Any) -> None:
        portal_sign_in(page, live_server, f"{CARRIER_USERNAME}@authority.example")

    pages = scanner.pages(sign_in)
    scanner.scan(pages, "/portal/transit/")
    scanner.scan(pages, "/portal/transit/new/")
    scanner.post_empty(pages, "/portal/transit/new/")
    pages[390].goto(live_server.url + "/portal/transit/")
    notice = first_link(pages[390], r"^/portal/transit/[0-9a-f-]{36}/$")
    assert notice, "the demo data has no transit notice for the carrier"
    scanner.scan(pages, notice)


def walk_the_inspectors_pages(scanner: Scanner, live_server: Any) -> None:
    pages = scanner.pages(inspector_signs_in(live_server))
    scanner.scan(pages, "/inspect/")
    order = first_link(pages[390], r"^/inspect/[0-9a-f-]{36}/$")
    assert order, "the demo data has no equipment order for the inspector"
    scanner.scan(pages, order)
    scanner.scan(pages, "/inspect/inspections/")
    inspection = first_link(pages[390], r"^/inspect/inspections/[0-9a-f-]{36}/$")
    assert inspection, "the demo data has no inspection for the inspector"
    scanner.scan(pages, inspection)


@pytest.mark.parametrize("language", ["en", "nb", "hu"])
def test_no_wcag_violation(demo: None, live_server: Any, new_page: Any, language: str) -> None:
    started = time.monotonic()
    scanner = Scanner(live_server, new_page, language)
    walk_the_portal(scanner, live_server)
    walk_the_carriers_pages(scanner, live_server)
    walk_the_inspectors_pages(scanner, live_server)
    print(
        f"{language}: {scanner.scans} scans of {len(scanner.scanned)} (path, width) pairs "
        f"in {time.monotonic() - started:.1f} s"
    )
    report = "\n".join(
        f"{path} @{width}px: {rule} at {target}" for path, width, rule, target in scanner.violations
    )
    assert scanner.violations == [], f"WCAG 2.2 AA violations:\n{report}"
