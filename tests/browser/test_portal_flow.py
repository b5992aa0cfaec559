"""The applicant portal's "done when" (issue 3), in a real browser: on a phone, in Hungarian, a
newcomer signs up, confirms the e-mail address, files a complete application for a legal
person (two directors, one bank account) through every step of the wizard, submits and pays;
an officer finds it in the admin queue, starts the review and requests information; the
applicant answers; the officer approves and the licence appears on the applicant's list.

Along the way: every visible form control has a label, an invalid form shows the error summary
with focus, and the page says ``lang="hu"``. Screenshots at phone size go to /tmp/portal-*.png
(outside the repository) for a person to look at."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from licensing.models import (
    Application,
    ApplicationState,
    Invoice,
    Licence,
    LicenceState,
    Party,
)
from tests.browser.test_admin_flow import decide
from tests.browser.test_admin_flow import log_in as officer_logs_in
from tests.factories import PDF_BYTES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("compiled_messages"),  # tests/conftest.py: the .mo files
]

TIMEOUT = 10_000
expect.set_options(timeout=TIMEOUT)

PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
EMAIL = "eszter.nagy@example.hu"
APPLICANT_PASSWORD = "Dohany-engedely-2026"
ORGNR = "988077917"  # a Norwegian organisation number with a valid check digit (mod 11)
IBAN_NO = "NO9386011117947"  # a valid Norwegian IBAN
QUESTION = "Kérjük, küldje meg a gyártóegység tűzvédelmi engedélyét."
ANSWER = "A tűzvédelmi engedélyt csatoltuk (2026/114)."
SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person, never in the repository


def pdf(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)


def assert_basics(page: Any) -> None:
    """``lang="hu"``, every visible control labelled, every label pointing at a control (a group
    of radios or checkboxes is a fieldset with a legend), nothing wider than the screen."""
    expect(page.locator("html")).to_have_attribute("lang", "hu")
    dangling = page.evaluate(
        """() => [...document.querySelectorAll('label[for]')]
            .filter(label => !document.getElementById(label.htmlFor))
            .map(label => label.textContent.trim())"""
    )
    assert dangling == [], f"{page.url}: labels of no control: {dangling}"
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll(
                'input:not([type=hidden]), select, textarea')]
            .filter(el => el.offsetParent !== null || el.getClientRects().length > 0)
            .filter(el => {
                const by = (el.getAttribute('aria-labelledby') || '').split(/\\s+/)
                    .filter(id => id && document.getElementById(id));
                const label = el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
                return !(by.length || (label && label.textContent.trim()));
            })
            .map(el => el.name || el.id || el.outerHTML)"""
    )
    assert unlabelled == [], f"{page.url}: controls without a label: {unlabelled}"
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url}: {overflow}px wider than the screen"


def expect_error_summary(page: Any, *texts: str) -> None:
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Az űrlap hibát tartalmaz")
    for text in texts:
        expect(summary).to_contain_text(text)
    assert_basics(page)


def button(page: Any, name: str) -> Any:
    return page.locator("main").get_by_role("button", name=name, exact=True)


def continue_to(page: Any, step: str) -> None:
    button(page, "Tovább").click()
    page.wait_for_url(re.compile(rf"/{step}/$"))
    assert_basics(page)


def test_newcomer_on_a_phone_in_hungarian_files_pays_answers_and_gets_a_licence(
    live_server, new_page, settings, officer
):
    settings.PORTAL_BASE_URL = live_server.url  # the links in e-mails point at this server
    page = new_page(**PHONE)

    # --- The language switcher (the browser asks for English) ---------------------------------
    page.goto(f"{live_server.url}/portal/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language", exact=True).select_option("hu")
    page.get_by_role("button", name="Change", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dohányipari engedély kérelmezése")
    assert_basics(page)
    shot(page, "01-start")

    # --- Sign up: a mistake first, then the real thing --------------------------------------
    page.locator("main").get_by_role("link", name="Fiók létrehozása").click()
    page.get_by_label("E-mail-cím").fill(EMAIL)
    page.get_by_label("Jelszó", exact=True).fill(APPLICANT_PASSWORD)
    page.get_by_label("Jelszó újra").fill(APPLICANT_PASSWORD + "x")
    expect(page.get_by_label("A szolgáltatás és az e-mailek nyelve")).to_have_value("hu")
    button(page, "Fiók létrehozása").click()
    expect_error_summary(page)
    page.get_by_label("Jelszó", exact=True).fill(APPLICANT_PASSWORD)
    page.get_by_label("Jelszó újra").fill(APPLICANT_PASSWORD)
    button(page, "Fiók létrehozása").click()
    page.wait_for_url(re.compile(r"/check-your-email/$"))
    assert_basics(page)

    # --- The link in the e-mail --------------------------------------------------------------
    (message,) = [m for m in mail.outbox if EMAIL in m.to]
    link = re.search(r"https?://\S+/portal/verify/\S+/", message.body)
    assert link, message.body
    page.goto(link.group(0))
    button(page, "E-mail-címem megerősítése").click()
    page.wait_for_url(re.compile(r"/sign-in/"))

    # --- Sign in -----------------------------------------------------------------------------
    page.get_by_label("E-mail-cím").fill(EMAIL)
    page.get_by_label("Jelszó").fill(APPLICANT_PASSWORD)
    button(page, "Bejelentkezés").click()
    page.wait_for_url(re.compile(r"/portal/$"))
    assert_basics(page)

    # --- Filing: who is applying -------------------------------------------------------------
    page.get_by_role("link", name="Új kérelem indítása").first.click()
    page.get_by_label("jogi személy").check()
    button(page, "Tovább").click()
    page.wait_for_url(re.compile(r"/apply/new/legal/$"))
    assert_basics(page)
    page.get_by_label("teljes megnevezés").fill("Duna Dohány Kft.")
    page.get_by_label("Kereskedelmi név").fill("Duna Dohány")
    page.get_by_label("Cégjegyzékszám / nyilvántartási szám").fill("988077918")  # bad check digit
    page.get_by_label("bejegyzés szerinti ország").select_option("NO")
    page.get_by_label("Bejegyzés napja").fill("2012-03-15")
    page.get_by_label("Bejegyzés helye").fill("Oslo")
    page.get_by_label("Székhely címe").fill("Karl Johans gate 2\n0154 Oslo")
    page.get_by_label("Fő telephely címe").fill("Havnegata 1\n9008 Tromsø")
    page.get_by_label("E-mail-cím").fill("post@dunadohany.example")
    page.get_by_label("Telefonszám").fill("+47 22 00 00 01")
    button(page, "Tovább").click()
    expect_error_summary(page, "Cégjegyzékszám / nyilvántartási szám")
    # One message, from python-stdnum's check, not also "required" (the field is filled in).
    expect(page.locator(".error-summary li")).to_have_count(1)
    # Country names come from django-countries' catalogue.
    country = page.get_by_label("bejegyzés szerinti ország")
    expect(country.locator("option:checked")).to_have_text("Norvégia")
    shot(page, "02-identity-error")
    page.get_by_label("Cégjegyzékszám / nyilvántartási szám").fill(ORGNR)
    continue_to(page, "tax")

    page.get_by_label("Ország", exact=True).select_option("NO")
    page.get_by_label("Adószám").fill(f"NO{ORGNR}MVA")
    continue_to(page, "affiliates")
    page.get_by_label("a kapcsolt vállalkozás teljes megnevezése").fill("Duna Holding AS")
    page.get_by_label("cégjegyzékszám / nyilvántartási szám").fill("923609016")
    page.get_by_label("nyilvántartás szerinti ország").select_option("NO")
    page.get_by_label("a kapcsolat jellege").fill("anyavállalat")
    continue_to(page, "people")

    # Two directors: the page offers one row at a time; Back brings the next empty row.
    directors = [("Nagy Eszter", "HU1234567"), ("Kovács Péter", "HU7654321")]
    for i, (name, number) in enumerate(directors):
        row = f"#id_person-{i}-"
        page.locator(f"{row}role").select_option("director")
        page.locator(f"{row}full_name").fill(name)
        page.locator(f"{row}date_of_birth").fill(f"197{i}-04-0{i + 1}")
        page.locator(f"{row}nationality").select_option("HU")
        page.locator(f"{row}identity_document_type").fill("útlevél")
        page.locator(f"{row}identity_document_number").fill(number)
        page.locator(f"{row}identity_document_country").select_option("HU")
        page.locator(f"{row}identity_document_expires_on").fill("2031-01-01")
        if i == 0:
            shot(page, "03-people")
        continue_to(page, "activities")
        if i < len(directors) - 1:
            page.locator(".back-link").click()
            page.wait_for_url(re.compile(r"/people/$"))
            expect(page.locator(f"#id_person-{i}-full_name")).to_have_value(name)

    page.get_by_label("dohánytermékek gyártása").check()
    page.get_by_label("nagykereskedelem").check()
    continue_to(page, "sites")

    page.get_by_label("Telephely típusa").select_option("manufacturing")
    page.get_by_label("Név", exact=True).fill("Tromsø-gyár")
    page.get_by_label("Utca, házszám").fill("Havnegata 1")
    page.get_by_label("Irányítószám").fill("9008")
    page.get_by_label("Település").fill("Tromsø")
    page.get_by_label("Ország", exact=True).select_option("NO")
    continue_to(page, "capacity")
    page.get_by_label("Telephely", exact=True).select_option(label="Tromsø-gyár, Tromsø")
    page.get_by_label("Terméktípus").select_option("cigarettes")
    page.get_by_label("Egység évente").fill("20000000")
    continue_to(page, "products")
    page.get_by_label("Terméktípus").select_option("cigarettes")
    page.get_by_label("Név", exact=True).fill("Duna Classic")
    page.get_by_label("Termékleírás").fill("20 szálas doboz, filteres")
    page.get_by_label("Márka").fill("Duna")
    continue_to(page, "machines")
    page.get_by_label("Gyártmány").fill("Hauni")
    page.get_by_label("Modell", exact=True).fill("Protos 90")
    page.get_by_label("Gyári szám").fill("PR90-004711")
    page.get_by_label("Telepítés helye").select_option(label="Tromsø-gyár, Tromsø")
    continue_to(page, "criminal")

    # The company and each director declare (Art. 6.3(b)(vi)); one certificate is attached.
    no = page.get_by_label("Nem, nincs büntetőítélet")
    expect(no).to_have_count(1 + len(directors))
    for radio in no.all():
        radio.check()
    page.locator("#id_crd0-document").set_input_files(pdf("erkolcsi.pdf"))
    shot(page, "04-criminal")
    continue_to(page, "bank")

    page.get_by_label("IBAN").fill(IBAN_NO)
    page.get_by_label("BIC").fill("DNBANOKKXXX")
    page.get_by_label("Bank neve").fill("DNB")
    page.get_by_label("Bank országa").select_option("NO")
    page.get_by_label("Számlatulajdonos").fill("Duna Dohány Kft.")
    continue_to(page, "markets")
    page.get_by_label("Terméktípus").select_option("cigarettes")
    page.get_by_label("Tervezett értékesítési piac").select_option("NO")
    page.get_by_label("Tervezett felhasználás").fill("nagykereskedelmi értékesítés")
    page.get_by_label("Várható kereslet, egység évente").fill("5000000")
    continue_to(page, "documents")

    page.get_by_label("dokumentum típusa").select_option("articles")
    page.get_by_label("fájl (PDF, PNG vagy JPEG)").set_input_files(pdf("alapito-okirat.pdf"))
    button(page, "Feltöltés").click()
    expect(page.locator("ul.documents")).to_contain_text("alapito-okirat.pdf")
    assert_basics(page)
    shot(page, "05-documents")
    page.locator("main").get_by_role("link", name="Tovább", exact=True).click()
    page.wait_for_url(re.compile(r"/check/$"))
    assert_basics(page)
    expect(page.locator("main")).to_contain_text("Kovács Péter")
    expect(page.locator(".notice h2")).to_have_count(0)  # nothing is missing
    shot(page, "06-check")

    # --- Declaration and submission: without the declaration first --------------------------
    button(page, "A kérelem benyújtása").click()
    expect_error_summary(page)
    page.get_by_label("Kijelentem, hogy a megadott adatok valósak és teljesek.").check()
    button(page, "A kérelem benyújtása").click()
    page.wait_for_url(re.compile(r"/submitted/$"))
    application = Application.objects.get(party__legal_name="Duna Dohány Kft.")
    assert application.state == ApplicationState.SUBMITTED
    party = Party.objects.get(pk=application.party_id)
    assert party.registration_number == ORGNR
    assert party.persons.count() == len(directors)
    assert party.bank_accounts.get().iban == IBAN_NO
    expect(page.locator("main")).to_contain_text(application.reference)
    # Filed in Hungarian: the authority writes to the party in Hungarian (issue 14).
    assert party.preferred_language == "hu"
    (receipt,) = [m for m in mail.outbox if "post@dunadohany.example" in m.to]
    assert receipt.subject.startswith("Kérelem beérkezésének visszaigazolása")
    assert "Tisztelettel" in receipt.body and "Dear " not in receipt.body

    # --- The status page, then the fee --------------------------------------------------------
    page.locator(".site-name").click()
    page.get_by_role("link", name=application.reference).click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/$"))
    status_url = page.url
    assert_basics(page)
    page.locator("main").get_by_role("link", name="A díj megfizetése").click()
    page.wait_for_url(re.compile(r"/fee/pay/$"))
    shot(page, "07-pay")
    page.locator("main form").get_by_role("button").click()
    page.wait_for_url(re.compile(r"/fee/$"))
    expect(page.locator(".notice-success")).to_have_text("Köszönjük. Befizetését rögzítettük.")
    assert Invoice.objects.get(application=application).is_paid

    # --- The officer, on a desktop in another context ----------------------------------------
    desk = new_page(viewport={"width": 1280, "height": 900})
    officer_logs_in(desk, live_server, officer)
    desk.goto(f"{live_server.url}/admin/licensing/application/?queue=open")
    desk.get_by_role("link", name=application.reference).click()
    decide(desk, "start_review")
    decide(desk, "request_information", **{"Question to the applicant": QUESTION})
    application.refresh_from_db()
    assert application.state == ApplicationState.INFORMATION_REQUESTED

    # --- The applicant sees the request and answers ------------------------------------------
    page.goto(status_url)
    request = page.locator("section[aria-labelledby=request-title]")
    expect(request).to_contain_text(QUESTION)
    shot(page, "08-status-request")
    request.get_by_role("link", name="Válasz a hiánypótlási felhívásra").click()
    page.wait_for_url(re.compile(r"/reply/$"))
    assert_basics(page)
    expect(page.locator("#id_documents_helptext")).to_contain_text("legfeljebb 5 fájl")
    button(page, "A válasz elküldése").click()  # an empty answer first
    expect_error_summary(page, "Az Ön válasza")
    page.get_by_label("Az Ön válasza").fill(ANSWER)
    page.get_by_label("Dokumentumok").set_input_files(pdf("tuzvedelmi-engedely.pdf"))
    shot(page, "09-reply")
    button(page, "A válasz elküldése").click()
    page.wait_for_url(status_url)
    expect(page.locator("main")).to_contain_text(ANSWER)
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW

    # --- Due diligence (Art. 6.3(d)): each flag decided, the review completed ----------------
    desk.reload()
    case_url = desk.url
    desk.locator("section.due-diligence").get_by_role("link", name="Open the review").click()
    desk.wait_for_url(re.compile(r"/duediligence/review/\d+/change/$"))
    while desk.locator('a[data-action="clear"]').count():
        decide(desk, "clear", Comment="Checked against the registers.")
    decide(desk, "complete")

    # --- The officer approves: a licence is issued -------------------------------------------
    desk.goto(case_url)
    decide(desk, "approve")
    licence = Licence.objects.get(application=application)
    assert licence.state == LicenceState.ACTIVE
    assert licence.holder_id == application.party_id

    page.locator(".site-name").click()
    page.get_by_role("link", name="Összes engedélye").click()
    page.wait_for_url(re.compile(r"/licences/$"))
    assert_basics(page)
    row = page.locator("main table tbody tr").filter(has_text=licence.number)
    expect(row).to_contain_text("Duna Dohány Kft.")
    with translation.override("hu"):
        expect(row.locator(".tag")).to_have_text(str(licence.get_state_display()))
        holder_label = str(translation.gettext("Holder"))
    # On a phone the header row is off-screen: each stacked cell shows its column's name, which
    # screen readers skip (they announce the real header), and the table stays a table.
    holder = row.locator("td").first
    before = holder.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert before.startswith(f'"{holder_label}"')
    expect(holder).to_have_role("cell")
    expect(holder).to_have_accessible_name(re.compile(r"^Duna Dohány Kft\."))
    shot(page, "10-licences")
