"""The Content-Security-Policy (issue 15, item 6; settings.CONTENT_SECURITY_POLICY): every
response carries a strict policy, the served templates hold nothing it would refuse, and the
report endpoint logs a browser's report while refusing what is not one. The browser's view of
every page is tests/browser/test_csp.py."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import LicenceFactory, PartyFactory

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
REPORT = {
    "csp-report": {
        "document-uri": "http://testserver/portal/",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
        "source-file": "http://testserver/portal/",
        "line-number": 12,
        "disposition": "enforce",
        "original-policy": "default-src 'self'",
    }
}


def directives(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict(response: Any) -> None:
    """ASVS V3.4.3, V3.4.6, V3.4.7."""
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["report-uri"] == [reverse("csp-report")]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_a_portal_page_carries_the_policy(client, applicant_for):
    party = PartyFactory()
    LicenceFactory(holder=party)
    client.force_login(applicant_for(party))
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert_strict(response)


def test_an_admin_page_carries_the_policy(client, officer):
    client.force_login(officer)
    response = client.get(reverse("admin:licensing_licence_changelist"))
    assert response.status_code == 200
    assert_strict(response)


def test_the_public_pages_carry_the_policy(client):
    licence = LicenceFactory()
    for url in (
        reverse("verify:form"),
        reverse("verify:licence", args=[licence.number]),
        reverse("verify:licence_json", args=[licence.number]),
        reverse("admin:login"),
        reverse("portal:login"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)


def test_a_redirect_and_a_refusal_carry_the_policy_too(client, settings, one_window):
    one_window(60)
    # The middleware is the outermost but one: answers made by the middleware inside it too.
    assert_strict(client.get(reverse("admin:index")))  # to the log-in
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify": (1, 60)}
    client.get(reverse("verify:form"))
    refused = client.get(reverse("verify:form"))
    assert refused.status_code == 429
    assert_strict(refused)


# --- What the policy would refuse, in the served templates -----------------------------------

# Every directory of served templates. templates/documents (PDFs made by WeasyPrint, never
# served as a page) keeps its <style>.
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE = {
    "a <style> element": re.compile(r"<style\b", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"'{]", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    # A script without src= runs inline; JSON data (json_script, type="application/json") may.
    "an inline script": re.compile(
        r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>",
        re.IGNORECASE,
    ),
}


def served_templates() -> list[Path]:
    found = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            if (ROOT / "templates" / "documents") in path.parents:
                continue
            found.append(path)
    return found


def inline_content(text: str) -> list[str]:
    return [what for what, pattern in INLINE.items() if pattern.search(text)]


def test_no_served_template_holds_inline_script_or_style():
    templates = served_templates()
    assert len(templates) > 50  # the walk found the project's templates
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in templates
        if (found := inline_content(path.read_text()))
    }
    assert offenders == {}


def test_the_scan_finds_each_kind_of_inline_content():
    """The guard above would see an offender (the refused path of its patterns)."""
    assert inline_content('<td style="width:1px">') == ["a style attribute"]
    assert inline_content("<style>p{}</style>") == ["a <style> element"]
    assert inline_content('<a href="#" onclick="go()">') == ["an event handler attribute"]
    assert inline_content("<script>alert(1)</script>") == ["an inline script"]
    assert inline_content('<a href="javascript:go()">') == ["a javascript: URL"]
    assert inline_content('<script src="/static/x.js" defer></script>') == []
    assert inline_content('<script type="application/json" id="d">{}</script>') == []
    assert inline_content('<input data-on="1" class="x">') == []


# --- The report endpoint (ASVS V3.4.7) --------------------------------------------------------


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="licensing.security")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "licensing.security"]


def post_report(client: Client, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(
        reverse("csp-report"), data=data, content_type="application/csp-report", **extra
    )


def test_a_browser_report_is_logged_without_a_csrf_token(security_log):
    browser = Client(enforce_csrf_checks=True)
    response = post_report(browser, REPORT)
    assert response.status_code == 204
    [line] = security_log()
    assert "csp violation" in line
    assert "directive='script-src-elem'" in line
    assert "blocked='inline'" in line
    assert "page='http://testserver/portal/'" in line
    assert "original-policy" not in line and "default-src" not in line


def test_a_report_through_the_reporting_api_is_logged_too(client, security_log):
    body = [{"type": "csp-violation", "body": {"effectiveDirective": "style-src-attr"}}]
    response = client.post(
        reverse("csp-report"), data=json.dumps(body), content_type="application/reports+json"
    )
    assert response.status_code == 204
    assert "directive='style-src-attr'" in security_log()[0]


def test_a_forged_log_line_is_defused(client, security_log):
    forged = {"csp-report": {"blocked-uri": "x\n2026-01-01 INFO admin logged in\r" + "y" * 500}}
    assert post_report(client, forged).status_code == 204
    [line] = security_log()
    assert "\n" not in line and "\r" not in line
    assert len(line) < 300


def test_what_is_not_a_report_is_refused(client, security_log):
    assert post_report(client, b"not json").status_code == 400
    assert post_report(client, {"something": "else"}).status_code == 400
    assert post_report(client, b"[" * 3000 + b"]" * 3000).status_code == 400
    assert client.get(reverse("csp-report")).status_code == 405
    assert not [line for line in security_log() if "csp violation" in line]


def test_an_oversized_report_is_refused_unread(client, settings, security_log):
    settings.CONTENT_SECURITY_POLICY_REPORT_MAX_BYTES = 256
    big = {"csp-report": {"blocked-uri": "x" * 1000}}
    response = post_report(client, big)
    assert response.status_code == 413
    assert not [line for line in security_log() if "csp violation" in line]
    assert any("csp report refused" in line for line in security_log())


def test_reports_are_limited_per_address(client, settings, security_log, one_window):
    one_window(60)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "csp_report": (2, 60)}
    here = {"REMOTE_ADDR": "192.0.2.10"}
    elsewhere = {"REMOTE_ADDR": "198.51.100.20"}
    assert post_report(client, REPORT, **here).status_code == 204
    assert post_report(client, REPORT, **here).status_code == 204
    refused = post_report(client, REPORT, **here)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert any("limit=csp_report" in line for line in security_log())
    # Another address still reports.
    assert post_report(client, REPORT, **elsewhere).status_code == 204
