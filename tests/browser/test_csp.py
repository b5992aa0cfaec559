"""Issue 15, item 6: chromium loads every page of the product, as the role that uses it, under
the strict Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) and sees no violation.

Each role gets one browser context and walks its pages by following their links, as a person
would: the admin from its index (every changelist the role may open, a change page of each
model, and the pages linked from them: decision confirmations, the calendar, imports, the
network, personal-data reads), the applicant's portal from /portal/, the inspector's pages
from /inspect/, and the public /verify/ and /register/ pages signed out. A page is visited once
per URL shape (ids and query strings aside). A violation is seen twice over: the
``securitypolicyviolation`` event (recorded by an init script) and chromium's console line
"Refused to ...". Every page's response must carry the policy header."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import pytest

from licensing.models import Application, ApplicationState, Licence, LicenceState, Party
from licensing.portal.apply_steps import STEPS
from tests.browser.demo import admin_log_in, portal_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPLICANT_EMAIL = "applicant@authority.example"
HOLDER = "Fjordtobakk AS"
STAFF = ("admin", "officer", "senior", "inspector", "registrar", "auditor")
# Recorded before any script of the page runs, in every document of the context.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ` +
    `${event.sourceFile}:${event.lineNumber} ${event.sample || ""}`.trim()
  );
});
"""
IDS = re.compile(r"/(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?=/)")
# Never followed: what signs out, changes the language, deletes, or is a file, not a page.
SKIP = re.compile(
    r"/logout/|/sign-out/|/delete/|/language/|/i18n/|\.(?:pdf|json|csv|xlsx|zip)$"
    r"|/download/|^/portal/documents/|/letters/|/pdf/|/printed/|/media/|/static/"
)

# The admin pages each role sees differently (its own lists, records, buttons and panels):
# walked for every role. The other admin pages once, by the first role that reaches them.
ROLE_DRAWN = re.compile(r"/admin/(?:\w+/\w+/(?:\{id\}/change/)?)?")


class Walker:
    """One role's browser context, walking pages and keeping what the policy refused."""

    def __init__(
        self, live_server: Any, new_page: Any, role: str, seen: set[str] | None = None
    ) -> None:
        self.base = live_server.url
        self.role = role
        self.page = new_page(viewport={"width": 1280, "height": 900})
        self.page.context.add_init_script(RECORD_VIOLATIONS)
        self.page.on("console", self.console)
        self.violations: list[str] = []
        self.without_header: list[str] = []
        self.shapes: set[str] = set()
        # Admin pages other than the lists and records, shared by the roles: an add form or a
        # confirmation page draws the same markup whoever opens it, and the walk stays short.
        self.seen = set() if seen is None else seen
        self.visited = 0

    def here(self) -> str:
        return self.page.url.removeprefix(self.base)

    def console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or message.text.startswith("Refused to"):
            self.violations.append(f"{self.role} {self.here()}: {message.text[:300]}")

    def collect(self) -> None:
        """The violations this document recorded (those of sign-in pages too)."""
        for line in self.page.evaluate("window.__cspViolations.splice(0)"):
            self.violations.append(f"{self.role} {self.here()}: {line}")

    def visit(self, path: str) -> bool:
        """Loads ``path`` unless a page of its shape was loaded; False if it was not a page."""
        shape = IDS.sub("/{id}", path)
        if shape in self.shapes or shape in self.seen or SKIP.search(path):
            return False
        self.shapes.add(shape)
        if shape.startswith("/admin/") and not ROLE_DRAWN.fullmatch(shape):
            self.seen.add(shape)
        try:
            response = self.page.goto(self.base + path)
        except Exception as error:  # a link to a file starts a download instead of a page
            if "Download is starting" in str(error):
                return False
            raise
        assert response is not None, path
        header = response.headers.get("content-security-policy", "")
        if "script-src 'self'" not in header or "unsafe-inline" in header:
            self.without_header.append(f"{self.role} {path} ({response.status})")
        self.visited += 1
        self.collect()
        return True

    def post_empty(self, path: str) -> None:
        """Submits the page's main form as it is: the page with its errors, which
        licensing/portal.js sums up, is checked too."""
        self.page.goto(self.base + path)
        with self.page.expect_navigation():
            self.page.locator("main form button[type=submit]").first.click()
        self.visited += 1
        self.collect()

    def links(self, selector: str, prefix: str) -> list[str]:
        """Same-site paths (no query) of the links matching ``selector`` that start with
        ``prefix``, in page order."""
        hrefs = self.page.locator(selector).evaluate_all(
            "links => links.filter(a => a.origin === location.origin).map(a => a.pathname)"
        )
        return list(dict.fromkeys(href for href in hrefs if href.startswith(prefix)))

    def crawl(self, start: str, prefixes: tuple[str, ...], selector: str = "a[href]") -> None:
        """Breadth first from ``start``, following links under ``prefixes``."""
        queue = [start]
        while queue:
            path = queue.pop(0)
            if not self.visit(path):
                continue
            for prefix in prefixes:
                queue.extend(self.links(selector, prefix))


def walk_the_admin(walker: Walker) -> None:
    """The index (the dashboard, the app list), then every changelist, change page and page
    linked from them; the admin's own menus and sorting links add no new shape."""
    walker.crawl("/admin/", ("/admin/",), selector="#content a[href], #content-related a[href]")
    assert any("/change/" in shape for shape in walker.shapes), walker.shapes
    walker.visit("/account/two-factor/")
    walker.visit("/account/two-factor/set-up/")


def walk_the_applicants_cases(walker: Walker) -> None:
    """The pages a crawl reaches only through one particular record (a draft's every step, a
    case awaiting a reply, a licence's notices), found from the demo data."""
    party = Party.objects.get(legal_name=HOLDER)
    draft = Application.objects.filter(party=party, state=ApplicationState.DRAFT).first()
    if draft is None:  # the demo's drafts belong to other parties: start one
        walker.page.goto(f"{walker.base}/portal/apply/{party.public_id}/activities/")
        walker.page.locator("main input[type=checkbox]").first.check()
        with walker.page.expect_navigation():
            walker.page.locator("main form button[type=submit]").first.click()
        draft = Application.objects.get(party=party, state=ApplicationState.DRAFT)
    walker.shapes -= {shape for shape in walker.shapes if shape.startswith("/portal/apply/{id}/")}
    for step in STEPS:
        walker.visit(f"/portal/apply/{draft.public_id}/{step.slug}/")
    walker.visit(f"/portal/apply/{draft.public_id}/check/")
    case = Application.objects.filter(
        party=party, state=ApplicationState.INFORMATION_REQUESTED
    ).first()
    assert case is not None
    walker.shapes.discard("/portal/cases/{id}/")
    walker.visit(f"/portal/cases/{case.public_id}/")
    walker.visit(f"/portal/cases/{case.public_id}/reply/")
    licence = Licence.objects.filter(holder=party, state=LicenceState.ACTIVE).first()
    assert licence is not None
    for action in ("renew", "change", "transfer"):
        walker.visit(f"/portal/licences/{licence.public_id}/{action}/")
    walker.visit(f"/portal/equipment/{licence.public_id}/")
    # Each machine's own pages, from the equipment list.
    for path in walker.links("main a[href]", "/portal/equipment/machine/"):
        walker.visit(path)
    for path in ("/portal/account/correspondence/", "/portal/account/email/"):
        walker.visit(path)


def test_no_page_violates_the_content_security_policy(
    demo: None, live_server: Any, new_page: Any
) -> None:
    started = time.monotonic()
    walkers: list[Walker] = []
    seen: set[str] = set()

    for username in STAFF:
        walker = Walker(live_server, new_page, username, seen)
        admin_log_in(walker.page, live_server, username)  # the second step is checked too
        walker.collect()
        walk_the_admin(walker)
        if username == "inspector":
            walker.crawl("/inspect/", ("/inspect/",), selector="main a[href]")
            walker.crawl("/inspect/inspections/", ("/inspect/",), selector="main a[href]")
            assert walker.shapes >= {"/inspect/", "/inspect/inspections/"}
        walkers.append(walker)
        print(f"{username}: {walker.visited} pages, {time.monotonic() - started:.1f} s")

    applicant = Walker(live_server, new_page, "applicant")
    portal_sign_in(applicant.page, live_server, APPLICANT_EMAIL)
    applicant.collect()
    applicant.crawl("/portal/", ("/portal/",))
    applicant.post_empty("/portal/apply/")
    walk_the_applicants_cases(applicant)
    assert applicant.visited > 40, sorted(applicant.shapes)
    walkers.append(applicant)

    public = Walker(live_server, new_page, "public")
    for start in ("/portal/sign-in/", "/portal/sign-up/", "/portal/password-reset/"):
        public.visit(start)
        public.post_empty(start)
    licence = Licence.objects.filter(holder__legal_name=HOLDER, state=LicenceState.ACTIVE)[0]
    for path in (
        "/verify/",
        "/verify/?number=",  # the form's error state
        f"/verify/{licence.number}/",
        "/verify/TL-0000-000000-X/",  # not found
        "/verify/document/",
        "/register/",
        "/register/?name=Fjordtobakk",
        "/api/v1/schema/reference/",  # the API's reference page (Swagger UI, served from here)
    ):
        public.visit(path)
    walkers.append(public)

    for walker in walkers:
        print(f"{walker.role}: {walker.visited} pages")
    print(f"{sum(w.visited for w in walkers)} pages in {time.monotonic() - started:.1f} s")
    violations = [line for walker in walkers for line in walker.violations]
    without_header = [line for walker in walkers for line in walker.without_header]
    assert violations == [], "CSP violations:\n" + "\n".join(sorted(set(violations)))
    assert without_header == [], "pages without the strict policy:\n" + "\n".join(without_header)


def test_the_walk_sees_an_inline_script_and_style_a_page_would_hold(
    live_server: Any, new_page: Any, caplog: Any
) -> None:
    """The refused path: a page served with an inline script and a style attribute (injected
    into the real response, under its real header) is refused by chromium, seen by the walker,
    and reported to the policy's report-uri, which logs it."""
    caplog.set_level(logging.WARNING, logger="licensing.security")
    walker = Walker(live_server, new_page, "public")

    def inject(route: Any) -> None:
        response = route.fetch()
        body = response.text().replace(
            "</main>", '<p style="color: red">x</p><script>window.__ran = true</script></main>'
        )
        route.fulfill(response=response, body=body)

    walker.page.route("**/verify/", inject)
    with walker.page.expect_request("**/security/csp-report/") as report:
        assert walker.visit("/verify/")
    assert report.value.response().status == 204
    assert walker.page.evaluate("window.__ran === undefined")
    refused = " ".join(walker.violations)
    assert "script-src-elem" in refused and "style-src-attr" in refused
    assert walker.without_header == []
    assert any("csp violation" in r.getMessage() for r in caplog.records)
