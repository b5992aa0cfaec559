"""User A, acting for party A, gets 404 (or 403) on every portal URL of party B.

The URLs are not listed by hand: every pattern of the ``portal`` namespace that takes a
``public_id`` is tried with every identifier of party B's records, read from the database
(applications in each state, documents, licences, transfer requests), by GET and by POST.
A new page is covered the day it is added. Staff are not applicants: an officer, who sees
everything in the admin, gets the same answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Q
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from duediligence.models import LicenseeReport
from licensing.models import (
    Application,
    AuditEvent,
    Document,
    InformationRequest,
    IssuedDocument,
    Licence,
    Payment,
    TransferRequest,
)
from licensing.models.issued import LETTER_KINDS
from licensing.services import transfers
from tests.factories import (
    ApplicationFactory,
    DocumentFactory,
    IssuedDocumentFactory,
    LicenceFactory,
    PartyFactory,
    SiteFactory,
)
from tests.factories.reports import LicenseeReportFactory
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db

DENIED = (403, 404)


def _walk(patterns: list[Any], prefix: str = "") -> list[URLPattern]:
    found: list[URLPattern] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _walk(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append(pattern)
    return found


def public_id_patterns() -> list[tuple[str, dict[str, str]]]:
    """(name, the other arguments it needs) of each portal pattern that takes a public_id."""
    _prefix, portal = get_resolver().namespace_dict["portal"]
    names = []
    for pattern in _walk(portal.url_patterns):
        converters = getattr(pattern.pattern, "converters", {})
        if "public_id" in converters:
            extra = {key: "x" for key in converters if key != "public_id"}
            names.append((pattern.name, extra))
    return sorted(names)


PATTERNS = public_id_patterns()


@pytest.fixture
def world(applicant_for):
    """Party A with its user; party B with a record of every kind the portal shows."""
    party_a, party_b = PartyFactory(), PartyFactory()
    user_a, user_b = applicant_for(party_a), applicant_for(party_b)
    ApplicationFactory(party=party_a, submitted=True)  # A has records of its own too
    licence = LicenceFactory(holder=party_b, sites=[SiteFactory(party=party_b)])
    ApplicationFactory(party=party_b)
    ApplicationFactory(party=party_b, submitted=True)
    requested = ApplicationFactory(party=party_b, information_requested=True)
    ApplicationFactory(party=party_b, in_review=True, paid=True)
    ApplicationFactory(party=party_b, withdrawn=True)
    DocumentFactory(party=party_b, application=requested)
    DocumentFactory(party=party_b)
    IssuedDocumentFactory(licence=licence)  # the printed licence the portal serves
    # Decision letters (Art. 6, 6.3(a)): about a refused application and a suspended licence.
    IssuedDocumentFactory(refusal_letter=True, application__party=party_b)
    IssuedDocumentFactory(suspension_letter=True, licence__holder=party_b)
    transfers.request_transfer(licence_id=licence.pk, by=user_b, email="buyer@example.com")
    # Art. 7.1(c), 10.1(a): a report B's licensee filed, with its evidence.
    report = LicenseeReportFactory(licensee=party_b, filed_by=user_b)
    report.evidence.add(DocumentFactory(party=party_b))
    return {"user_a": user_a, "user_b": user_b, "party_b": party_b}


def identifiers_of(party: Any) -> list[Any]:
    return [
        *Application.objects.filter(party=party).values_list("public_id", flat=True),
        *Licence.objects.filter(holder=party).values_list("public_id", flat=True),
        *Document.objects.filter(party=party).values_list("public_id", flat=True),
        *TransferRequest.objects.filter(licence__holder=party).values_list("public_id", flat=True),
        *LicenseeReport.objects.filter(licensee=party).values_list("public_id", flat=True),
        *IssuedDocument.objects.filter(kind__in=LETTER_KINDS)
        .filter(Q(application__party=party) | Q(licence__holder=party))
        .values_list("public_id", flat=True),
    ]


def fingerprint() -> tuple[Any, ...]:
    """What a successful action by the wrong user would change."""
    return (
        list(Application.objects.order_by("pk").values_list("pk", "state", "updated_at")),
        Payment.objects.count(),
        list(TransferRequest.objects.order_by("pk").values_list("pk", "state")),
        Document.objects.count(),
        InformationRequest.objects.filter(answered_at__isnull=False).count(),
        AuditEvent.objects.count(),
        list(LicenseeReport.objects.order_by("pk").values_list("pk", "state")),
    )


def test_the_matrix_covers_the_pages_of_this_issue():
    names = {name for name, _extra in PATTERNS}
    assert {
        "application_detail",
        "application_reply",
        "application_withdraw",
        "application_fee",
        "application_pay",
        "document_download",
        "licence_detail",
        "licence_renew",
        "licence_change",
        "licence_transfer",
        "transfer_cancel",
        "licence_pdf",
        "letter_pdf",
        "report_detail",
    } <= names


@pytest.mark.parametrize(("name", "extra"), PATTERNS, ids=[name for name, _ in PATTERNS])
@pytest.mark.parametrize("who", ["user_a", "officer", "senior", "auditor"])
def test_another_partys_urls_are_not_found(request, world, name, extra, who):
    user = world["user_a"] if who == "user_a" else request.getfixturevalue(who)
    client = client_for(user)
    before = fingerprint()
    for public_id in identifiers_of(world["party_b"]):
        target = reverse(f"portal:{name}", kwargs={"public_id": public_id, **extra})
        for method in (client.get, client.post):
            response = method(
                target,
                {
                    "answer": "x",
                    "reason": "x",
                    "reference": "SIM-" + "D" * 32,
                    "email": "thief@example.com",
                    "subject": "information",
                    "description": "x",
                    "effective_on": "2099-01-01",
                },
            )
            assert response.status_code in DENIED, (
                f"{who} {method.__name__.upper()} {target}: {response.status_code}"
            )
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("name", "extra"),
    [(name, extra) for name, extra in PATTERNS if not extra],
    ids=[name for name, extra in PATTERNS if not extra],
)
def test_the_owner_reaches_each_url(world, name, extra):
    """The control: the same URLs answer party B's own user, so the 404s above are earned."""
    client = client_for(world["user_b"])
    statuses = []
    for public_id in identifiers_of(world["party_b"]):
        target = reverse(f"portal:{name}", kwargs={"public_id": public_id})
        statuses.append(client.get(target).status_code)
    assert any(status not in DENIED for status in statuses), statuses


def test_the_licence_list_shows_no_other_partys_licence(world):
    numbers = Licence.objects.filter(holder=world["party_b"]).values_list("number", flat=True)
    page = client_for(world["user_a"]).get(reverse("portal:licence_list")).content.decode()
    for number in numbers:
        assert number not in page
