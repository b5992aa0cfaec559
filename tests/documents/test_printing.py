"""The one document service: what a PDF shows, and what a render may never read."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from licensing.models.activities import Activity
from licensing.models.portal import DeclaredMachine
from licensing.services import printing
from licensing.services.printing import (
    DocumentTooLarge,
    RefusedURL,
    StaticOnlyFetcher,
    html_to_pdf,
    licence_pdf,
    render_pdf,
    resolve_static,
    verification_url,
)
from tests.factories import ConditionFactory, LicenceFactory, PartyFactory, UserFactory
from tests.factories.licensing import SiteFactory

SECRET = "root:x:0:0"
SECRET_FILE = Path("/etc/passwd")


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def pdf_bytes_inflated(pdf: bytes) -> bytes:
    """The raw PDF plus every stream decompressed: embedded files are Flate streams."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            chunks.append(match.group(1))
    return b"\n".join(chunks)


def embedded_files(tmp_path: Path, pdf: bytes) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603
        ["pdfdetach", "-list", str(path)],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    )
    return result.stdout


def image_count(tmp_path: Path, pdf: bytes) -> int:
    path = tmp_path / "images.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603
        ["pdfimages", "-list", str(path)],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    )
    return len(result.stdout.splitlines()) - 2  # two header lines


def svg_in_data_uri(url: str) -> str:
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg'><image href='{url}' width='9' height='9'/></svg>"
    )
    return quote(svg, safe="")


def hostile_html(base: str) -> str:
    """Every way we know for a document to reach a local file or the network."""
    urls = [f"file://{SECRET_FILE}", f"{base}/probe", str(SECRET_FILE), "static:../../etc/passwd"]
    parts = []
    for n, url in enumerate(urls):
        parts.append(
            f"""
            <link rel="attachment" href="{url}" title="link{n}">
            <link rel="stylesheet" href="{url}">
            <style>
              @import url("{url}");
              @font-face {{ font-family: evil{n}; src: url("{url}"); }}
              .bg{n} {{ background: url("{url}"); list-style-image: url("{url}"); }}
            </style>
            <p class="bg{n}" style="font-family: evil{n}">
              <img src="{url}" alt="">
              <a rel="attachment" href="{url}" download="passwd{n}">attached {n}</a>
              <object data="{url}"></object><embed src="{url}">
            </p>
            <svg width="20" height="20" xmlns="http://www.w3.org/2000/svg"
                 xmlns:xlink="http://www.w3.org/1999/xlink">
              <image href="{url}" width="20" height="20"/>
              <image xlink:href="{url}" width="20" height="20"/>
            </svg>
            <img src="data:image/svg+xml,{svg_in_data_uri(url)}" alt="">
            """
        )
    head = "<!DOCTYPE html><html><head><meta charset='utf-8'></head>"
    return f"{head}<body>{''.join(parts)}</body></html>"


def assert_no_leak(tmp_path: Path, pdf: bytes) -> None:
    assert SECRET not in pdf_text(pdf)
    assert SECRET.encode() not in pdf_bytes_inflated(pdf)
    assert "0 embedded files" in embedded_files(tmp_path, pdf)


def test_the_check_would_see_a_leak_through_the_default_fetcher(tmp_path: Path) -> None:
    """Control: WeasyPrint's own fetcher does copy the file in, so the checks below mean
    something."""
    from weasyprint import HTML, URLFetcher

    html = f'<link rel="attachment" href="file://{SECRET_FILE}"><p>x</p>'
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"file"})).write_pdf()
    assert SECRET.encode() in pdf_bytes_inflated(pdf)
    assert "1 embedded files" in embedded_files(tmp_path, pdf)


def test_raw_html_reaches_no_local_file_and_no_network(
    tmp_path: Path, recording_server: tuple[str, list[str]]
) -> None:
    base, requests = recording_server
    pdf = html_to_pdf(html=hostile_html(base))
    assert_no_leak(tmp_path, pdf)
    assert requests == []


@pytest.mark.django_db
def test_applicant_text_is_escaped_and_fetches_nothing(
    tmp_path: Path, recording_server: tuple[str, list[str]]
) -> None:
    base, requests = recording_server
    hostile = (
        f'<img src="file://{SECRET_FILE}"><a rel="attachment" href="file://{SECRET_FILE}">x</a>'
        f'<link rel="attachment" href="{base}/x"><style>@import url("{base}/y");</style>'
    )
    licence = LicenceFactory(holder=PartyFactory(legal_name=hostile, trade_name="Plain AS"))
    ConditionFactory(application=None, licence=licence, text=f'<b>bold</b> <img src="{base}/z">')

    pdf = licence_pdf(licence_id=licence.pk)

    text = re.sub(r"\s+", "", pdf_text(pdf))
    assert re.sub(r"\s+", "", f'<img src="file://{SECRET_FILE}">') in text
    assert "<b>bold</b>" in text
    assert_no_leak(tmp_path, pdf)
    assert requests == []


PROBE_TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
    }
]


def test_render_pdf_escapes_context_values(tmp_path: Path) -> None:
    value = f'<link rel="attachment" href="file://{SECRET_FILE}">&amp;'
    with override_settings(TEMPLATES=PROBE_TEMPLATES):
        pdf = render_pdf(
            template="documents/escape_probe.html", context={"value": value}, language="en"
        )
    assert value in pdf_text(pdf)
    assert_no_leak(tmp_path, pdf)


def test_a_static_file_is_embedded(tmp_path: Path) -> None:
    pdf = html_to_pdf(html='<img src="static:licensing/documents/emblem.png" alt="">')
    assert image_count(tmp_path, pdf) == 1


def test_only_files_under_the_static_roots_are_served(tmp_path: Path) -> None:
    root = tmp_path / "static"
    root.mkdir()
    (root / "ok.css").write_text("p { color: green; }")
    (root / "escape.css").symlink_to(SECRET_FILE)
    with override_settings(STATICFILES_DIRS=[root]):
        assert resolve_static("ok.css") == (root / "ok.css").resolve()
        for path in ("escape.css", "../static/ok.css", "/etc/passwd", "", "a\\b"):
            with pytest.raises(RefusedURL):
                resolve_static(path)


@pytest.mark.parametrize(
    "url",
    [
        f"file://{SECRET_FILE}",
        "http://127.0.0.1:9/x",
        "https://example.com/x",
        "ftp://example.com/x",
        "etc/passwd",
        "gopher://x",
    ],
)
def test_the_fetcher_refuses_every_other_scheme(url: str) -> None:
    fetcher = StaticOnlyFetcher()
    with pytest.raises(RefusedURL):
        fetcher(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_data_uris() -> None:
    response = StaticOnlyFetcher()("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "name", "trade", "expected_date"),
    [
        ("nb", "Tobakkfabrikken Ærø og Åsgårdstrand AS", "Blåbær Røyk", "1. mars 2027"),
        ("hu", "Dohánygyár Győr-Kőbánya Kft.", "Fűzfő Trafik", "2027. március 1."),
        ("en", "Northern Leaf Ltd", "Leaf", "March 1, 2027"),
    ],
)
def test_licence_shows_holder_number_and_validity_in_the_holders_language(
    language: str, name: str, trade: str, expected_date: str
) -> None:
    holder = PartyFactory(legal_name=name, trade_name=trade, preferred_language=language)
    licence = LicenceFactory(
        holder=holder,
        valid_from=dt.date(2025, 3, 1),
        expires_on=dt.date(2027, 3, 1),
        issued_by=UserFactory(first_name="Åse", last_name="Kővári"),
    )
    licence.sites.add(SiteFactory(party=holder, municipality="Bærum"))

    text = pdf_text(licence_pdf(licence_id=licence.pk))

    assert name in text
    assert trade in text
    assert licence.number in text
    assert expected_date in text
    assert "Bærum" in text
    assert "Åse Kővári" in text
    assert verification_url(licence.number) in text
    with translation.override(language):
        assert gettext("Page %(page)s of %(pages)s") % {"page": 1, "pages": 1} in text


@pytest.mark.django_db
def test_manufacturing_licence_lists_its_declared_machines() -> None:
    licence = LicenceFactory(activities=[Activity.MANUFACTURE_PRODUCTS])
    site = SiteFactory(party=licence.holder)
    DeclaredMachine.objects.create(
        application=licence.application,
        make="Hauni",
        model="Protos M8",
        serial_number="SN-ØŐ-0042",
        site=site,
    )

    text = pdf_text(licence_pdf(licence_id=licence.pk))

    assert "Hauni" in text
    assert "Protos M8" in text
    assert "SN-ØŐ-0042" in text


@pytest.mark.django_db
def test_non_manufacturing_licence_has_no_machine_list() -> None:
    licence = LicenceFactory(activities=["import"])
    text = pdf_text(licence_pdf(licence_id=licence.pk))
    assert "Manufacturing equipment" not in text


def decoded_qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    """The QR codes on the first page, as a phone would read them: the page rasterised by
    pdftoppm, then decoded by zbarimg (zbar-tools, installed by ``make test``)."""
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile", "doc.pdf", "page"],  # noqa: S607
        cwd=tmp_path,
        check=True,
    )
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "page.png"],  # noqa: S607
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    # zbarimg exits with 4 when it finds no code: the assertion below says so more clearly.
    return result.stdout.decode("utf-8").split()


@pytest.mark.django_db
@override_settings(PORTAL_BASE_URL="https://licensing.example")
def test_the_qr_code_decodes_to_the_verification_url(tmp_path: Path) -> None:
    licence = LicenceFactory()

    codes = decoded_qr_codes(licence_pdf(licence_id=licence.pk), tmp_path)

    assert codes == [f"https://licensing.example/verify/{licence.number}/"]


def test_oversized_html_is_refused_before_layout() -> None:
    with pytest.raises(DocumentTooLarge):
        html_to_pdf(html="<p>" + "x" * printing.MAX_HTML_BYTES + "</p>")


def test_a_layout_past_the_page_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printing, "MAX_PAGES", 1)
    with pytest.raises(DocumentTooLarge):
        html_to_pdf(html='<p>one</p><p style="break-before: page">two</p>')
