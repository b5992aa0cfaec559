"""Where browsers report what the Content-Security-Policy refused (``report-uri`` in
settings.CONTENT_SECURITY_POLICY; ASVS V3.4.7). A refusal on a page of ours is either a
template that slipped an inline script or style past review, or someone's attempt to inject one:
either way the operators want to see it, on the ``licensing.security`` logger.

Anyone may post here (a browser sends the report without cookies or a CSRF token), so the
view trusts nothing in it: it reads at most CONTENT_SECURITY_POLICY_REPORT_MAX_BYTES, counts
each address against RATE_LIMITS["csp_report"], logs only a few known fields, each shortened
and stripped of control characters (no forged log lines; ASVS V16.4.1), and answers 204."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from licensing.ratelimit import check, too_many_requests

logger = logging.getLogger("licensing.security")

RATE_LIMIT = "csp_report"
# The fields worth an operator's eye, as CSP level 2 (report-uri) and the Reporting API
# (report-to) name them.
FIELDS = {
    "document-uri": "page",
    "documentURL": "page",
    "effective-directive": "directive",
    "effectiveDirective": "directive",
    "violated-directive": "directive",
    "blocked-uri": "blocked",
    "blockedURL": "blocked",
    "source-file": "source",
    "sourceFile": "source",
    "line-number": "line",
    "lineNumber": "line",
    "disposition": "disposition",
}
FIELD_LENGTH = 200
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def clean(value: Any) -> str:
    return UNPRINTABLE.sub("?", str(value))[:FIELD_LENGTH]


def summary(body: Any) -> dict[str, str]:
    """The known fields of one report: ``{"csp-report": {...}}`` (report-uri) or a list of
    ``{"type": "csp-violation", "body": {...}}`` (report-to)."""
    report: Any = {}
    if isinstance(body, dict):
        report = body.get("csp-report", {})
    elif isinstance(body, list) and body and isinstance(body[0], dict):
        report = body[0].get("body", {})
    if not isinstance(report, dict):
        return {}
    found: dict[str, str] = {}
    for field, name in FIELDS.items():
        if field in report and name not in found:
            found[name] = clean(report[field])
    return found


@csrf_exempt  # a browser's report carries no token; it changes nothing but the log
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    limited = check(request, [(RATE_LIMIT, "")])
    if limited:
        return too_many_requests(request, limited, look="json")
    limit = settings.CONTENT_SECURITY_POLICY_REPORT_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        logger.warning("csp report refused: %d bytes, more than %d", declared, limit)
        return HttpResponse(status=413)
    # read() with a bound: a body sent without a length is cut, not read whole.
    raw = request.read(limit + 1)
    if len(raw) > limit:
        logger.warning("csp report refused: more than %d bytes", limit)
        return HttpResponse(status=413)
    try:
        found = summary(json.loads(raw))
    except (ValueError, RecursionError):  # not JSON (UnicodeDecodeError is a ValueError)
        found = {}
    if not found:
        logger.info("csp report ignored: not a violation report")
        return HttpResponse(status=400)
    logger.warning(
        "csp violation: %s",
        " ".join(f"{name}={value!r}" for name, value in sorted(found.items())),
    )
    return HttpResponse(status=204)
