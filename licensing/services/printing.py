"""The one document service: Django templates rendered to PDF with WeasyPrint.

Every printed document goes through ``render_pdf``. What a render may read is decided here and
nowhere else: ``data:`` URIs and the project's own static files, addressed as
``static:<path>`` (for example ``static:licensing/documents/emblem.png``). Everything else
(``file:``, ``http(s):``, ``ftp:``, relative paths, unknown schemes) is refused without being
opened, so neither a template nor applicant text can embed a local file (WeasyPrint's default
fetcher attaches ``file:///etc/passwd`` through ``<link rel="attachment">``) or make a request.

Budget per render, chosen from the measurements in docs (one licence page about 0.25 s, long
tables about 0.14 s a page, 52 pages 7.2 s and 200 MiB):

- the HTML is capped at ``MAX_HTML_BYTES`` and each static file at ``MAX_STATIC_BYTES``, so
  nothing large reaches the layout engine;
- a layout longer than ``MAX_PAGES`` is refused before the PDF is written;
- the render time is measured and logged, with a warning above ``SLOW_RENDER_SECONDS``.
  WeasyPrint cannot be interrupted from inside its own thread; the hard wall-clock and memory
  limits belong to the Celery task that prints (``time_limit``, ``worker_max_memory_per_child``).

What every render shares is prepared once per process and kept (``render_kit``): the static
files the fetcher serves (read from disk once, then from memory), the shared stylesheet
``static:licensing/documents/document.css`` and the page rules of each language, parsed once,
and WeasyPrint's font configuration, whose warm font map is most of the saving (measured by
``benchmarks/pdf.py``: one licence against WeasyPrint alone on the same HTML).
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import logging
import re
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from licensing.as_of import party_as_of
from licensing.authority import authority_name
from licensing.exceptions import DomainError
from licensing.identifiers import licence_codes
from licensing.models.activities import activity_labels
from licensing.models.licences import Licence
from licensing.models.parties import Party
from licensing.models.portal import DeclaredMachine

logger = logging.getLogger(__name__)

STATIC_SCHEME = "static"
MAX_HTML_BYTES = 1024 * 1024
MAX_STATIC_BYTES = 2 * 1024 * 1024
MAX_PAGES = 60
SLOW_RENDER_SECONDS = 10.0
# Relative references are made absolute against a host that cannot exist (RFC 2606), so the
# fetcher refuses them like any other URL; without a base, WeasyPrint 70 crashes on a relative
# CSS ``@import``.
DOCUMENT_BASE_URL = "https://document.invalid/"

# Installed by the Makefile (fonts-dejavu-core): covers ø, å, æ and ő, ű.
FONT_FAMILY = '"DejaVu Sans", "Liberation Sans", sans-serif'
# The look every printed document shares, passed to every render as a parsed stylesheet.
DOCUMENT_STYLESHEET = "licensing/documents/document.css"


class DocumentTooLarge(DomainError):
    default_message = _("This document is too large to print.")


class RefusedURL(ValueError):
    """A document asked for a resource outside ``data:`` and the project's static files."""


def _static_roots() -> list[Path]:
    """The folders the static-file finders search: STATICFILES_DIRS and the apps' static/."""
    from django.contrib.staticfiles.finders import AppDirectoriesFinder, FileSystemFinder

    roots: list[Path] = []
    for finder in finders.get_finders():
        if isinstance(finder, FileSystemFinder):
            roots.extend(Path(root).resolve() for _prefix, root in finder.locations)
        elif isinstance(finder, AppDirectoriesFinder):
            roots.extend(Path(storage.location).resolve() for storage in finder.storages.values())
    return roots


def resolve_static(path: str) -> Path:
    """The file on disk for a static path, or ``RefusedURL``. The real path (symlinks
    followed) must lie under one of the static roots."""
    if not path or "\x00" in path or "\\" in path or ".." in path.split("/"):
        raise RefusedURL(path)
    found = finders.find(path.lstrip("/"))
    if not isinstance(found, str):
        raise RefusedURL(path)
    real = Path(found).resolve()
    if not real.is_file() or not any(real.is_relative_to(root) for root in _static_roots()):
        raise RefusedURL(path)
    if real.stat().st_size > MAX_STATIC_BYTES:
        raise RefusedURL(path)
    return real


@functools.lru_cache(maxsize=64)
def static_file(path: str) -> tuple[bytes, str]:
    """The bytes and content type of a static file that ``resolve_static`` accepts, read from
    disk once per process and served from memory after that. A refusal is not kept: it is
    checked again on the next request."""
    real = resolve_static(path)
    return real.read_bytes(), _content_type(real)


class StaticOnlyFetcher:
    """A WeasyPrint URL fetcher (same interface as ``weasyprint.URLFetcher``) that serves
    ``data:`` URIs and ``static:`` files only, from memory. ``refused`` lists what it turned
    down."""

    # Read by ``weasyprint.urls.fetch``: a refused resource is skipped with a warning.
    _fail_on_errors = False

    def __init__(self) -> None:
        self.refused: list[str] = []

    def __call__(self, url: str) -> Any:
        return self.fetch(url)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        from weasyprint.urls import URLFetcherResponse

        scheme, sep, rest = url.partition(":")
        scheme = scheme.lower()
        if sep and scheme == "data":
            # Decoded in memory by urllib's DataHandler: no I/O; the scheme is checked above.
            data_request = urllib.request.Request(url)  # noqa: S310
            with urllib.request.DataHandler().data_open(data_request) as resp:
                body = resp.read()
                return URLFetcherResponse(url, body, {"Content-Type": resp.headers["Content-Type"]})
        if sep and scheme == STATIC_SCHEME:
            try:
                body, content_type = static_file(unquote(rest.split("?")[0].split("#")[0]))
            except RefusedURL:
                self.refused.append(url)
                raise
            return URLFetcherResponse(url, body, {"Content-Type": content_type})
        self.refused.append(url)
        raise RefusedURL(url)


def _content_type(path: Path) -> str:
    import mimetypes

    guessed, _encoding = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _css_string(text: str) -> str:
    """A CSS string literal; ``<`` escaped so it can never close a style element."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    )
    return f'"{escaped}"'


def _page_css() -> str:
    """A4, the body font, and "page X of Y" in the footer in the active language. Margin
    boxes do not inherit the body font, so it is set on them too."""
    # Translators: footer of every printed page; keep both placeholders.
    label = gettext("Page %(page)s of %(pages)s")
    counters = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}
    parts = [
        counters.get(piece) or _css_string(piece)
        for piece in re.split(r"(%\(pages?\)s)", label)
        if piece
    ]
    content = " ".join(parts) or '""'
    return f"""
@page {{
  size: A4;
  margin: 20mm 18mm 22mm 18mm;
  font-family: {FONT_FAMILY};
  @bottom-center {{
    content: {content};
    font-family: {FONT_FAMILY};
    font-size: 8pt;
    color: #444;
  }}
}}
html {{ font-family: {FONT_FAMILY}; font-size: 10pt; }}
"""


def stylesheet_texts() -> list[str]:
    """The CSS every document is rendered with, in the active language: the shared
    stylesheet, then the page rules."""
    return [static_file(DOCUMENT_STYLESHEET)[0].decode("utf-8"), _page_css()]


class _RenderKit(threading.local):
    """What the renders of one thread share. WeasyPrint's ``FontConfiguration`` keeps the
    font map that Pango fills on first use; one per render (WeasyPrint's default) loads it
    again each time. Parsed stylesheets are read only by a render and kept by their text."""

    def __init__(self) -> None:
        self.font_config: Any = None
        self.stylesheets: dict[tuple[str, ...], list[Any]] = {}


_kit = _RenderKit()
_font_configs: list[Any] = []


@atexit.register
def _close_font_configs() -> None:
    """Remove the fonts' temporary folders while ``shutil`` is still there: WeasyPrint's own
    ``__del__`` runs too late at interpreter exit and fails."""
    import shutil

    for font_config in _font_configs:
        if font_config._folder:
            shutil.rmtree(font_config._folder, ignore_errors=True)
            font_config._folder = None


def render_kit() -> tuple[Any, list[Any]]:
    """The font configuration and the parsed stylesheets for the active language."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    if _kit.font_config is None:
        _kit.font_config = FontConfiguration()
        _font_configs.append(_kit.font_config)
    texts = tuple(stylesheet_texts())
    sheets = _kit.stylesheets.get(texts)
    if sheets is None:
        fetcher = StaticOnlyFetcher()
        sheets = [
            CSS(string=text, base_url=DOCUMENT_BASE_URL, url_fetcher=fetcher) for text in texts
        ]
        _kit.stylesheets[texts] = sheets
    return _kit.font_config, sheets


@receiver(setting_changed)
def _forget_render_kit(*, setting: str, **kwargs: Any) -> None:
    """Tests that change where static files live or how pages read see the change."""
    if setting.startswith("STATIC") or setting in {"INSTALLED_APPS", "LANGUAGES", "LOCALE_PATHS"}:
        static_file.cache_clear()
        _kit.stylesheets.clear()


def html_to_pdf(*, html: str, name: str = "document") -> bytes:
    """PDF bytes for ready-made HTML, with the restricted fetcher and the budget above. The
    caller has rendered and escaped the HTML; ``render_pdf`` is the usual entry point."""
    from weasyprint import HTML

    if len(html.encode("utf-8")) > MAX_HTML_BYTES:
        raise DocumentTooLarge()
    fetcher = StaticOnlyFetcher()
    started = time.monotonic()
    font_config, stylesheets = render_kit()
    document = HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=fetcher).render(
        stylesheets=stylesheets, font_config=font_config
    )
    if len(document.pages) > MAX_PAGES:
        raise DocumentTooLarge()
    pdf = document.write_pdf()
    elapsed = time.monotonic() - started
    log = logger.warning if elapsed > SLOW_RENDER_SECONDS else logger.info
    log(
        "Rendered %s: %d pages, %d bytes in %.0f ms",
        name,
        len(document.pages),
        len(pdf),
        elapsed * 1000,
    )
    if fetcher.refused:
        logger.warning("Refused resources in %s: %s", name, fetcher.refused)
    return bytes(pdf)


def render_pdf(*, template: str, context: dict[str, Any], language: str) -> bytes:
    """PDF bytes of a Django template rendered in ``language``. Autoescaped: pass applicant
    text as it is, never marked safe. Any service that prints calls this."""
    with translation.override(language):
        if "authority" in context:  # the letterhead, in the addressee's language
            context = {**context, "authority": authority_name(str(context["authority"]))}
        html = render_to_string(template, context)
        return html_to_pdf(html=html, name=template)


def verification_url(number: str) -> str:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return f"{base}/verify/{quote(number, safe='')}/"


@functools.lru_cache(maxsize=256)
def _qr_svg(url: str) -> str:
    import segno

    return str(segno.make_qr(url, error="m").svg_inline(scale=3, border=2, omitsize=True))


def qr_svg(url: str) -> SafeString:
    """The QR code of ``url`` as inline SVG, drawn by WeasyPrint without a fetch. Safe to
    mark: segno writes the code as path data only, never the URL's text."""
    return mark_safe(_qr_svg(url))  # noqa: S308


def document_verification_url(code: str) -> str:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return f"{base}/verify/document/{quote(code, safe='')}/"


def party_language(party: Party) -> str:
    """The language of what the authority prints for a party: its preferred one."""
    return party.preferred_language or settings.LANGUAGE_CODE


def licence_language(licence: Licence) -> str:
    return party_language(licence.holder)


def printed_records(licence: Licence) -> tuple[Any, list[Any]]:
    """The holder and sites a licence prints (Art. 9): as the authority approved them for the
    licence's term, that is as of now while the term runs, and as of its last day after it.
    Records kept before versions existed print as they stand."""
    term_end = dt.datetime.combine(
        licence.expires_on, dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    known = party_as_of(licence.holder_id, min(timezone.now(), term_end))
    live_sites = list(licence.sites.all())
    if known is None:
        return licence.holder, live_sites
    versioned = {site.pk: site for site in known.sites}
    return known.party, [versioned.get(site.pk, site) for site in live_sites]


def licence_pdf(*, licence_id: int, document_code: str = "", document_version: int = 0) -> bytes:
    """The licence as PDF, in the holder's preferred language. Reads only; storing the issued
    document is the caller's business (``services.issuing``, which passes the code and version
    it prints on the document)."""
    licence = (
        Licence.objects.select_related("holder", "issued_by", "application")
        .prefetch_related("sites", "conditions")
        .get(pk=licence_id)
    )
    machines: list[DeclaredMachine] = []
    # Art. 6.3(b)(iv): a manufacturing licence lists the machines it covers.
    if licence.is_manufacturing and licence.application_id is not None:
        machines = list(
            DeclaredMachine.objects.filter(application_id=licence.application_id).order_by(
                "make", "model", "serial_number"
            )
        )
    url = verification_url(licence.number)
    language = licence_language(licence)
    holder, sites = printed_records(licence)
    # Reg. (EU) 2018/574 Art. 15, 17: the holder's and each site's active identifier code.
    operator_code, site_codes = licence_codes(licence.holder_id, [site.pk for site in sites])
    with translation.override(language):
        context = {
            "licence": licence,
            "holder": holder,
            "activities": activity_labels(licence.activities),
            "sites": sites,
            "site_rows": [(site, site_codes.get(site.pk, "")) for site in sites],
            "operator_code": operator_code,
            "conditions": list(licence.conditions.all()),
            "machines": machines,
            "officer": licence.issued_by,
            "verification_url": url,
            "qr_svg": qr_svg(url),
            "document_code": document_code,
            "document_version": document_version,
            "document_url": document_verification_url(document_code) if document_code else "",
        }
        return render_pdf(template="documents/licence.html", context=context, language=language)
