"""Every factory builds a valid object, in every state its traits offer."""

from __future__ import annotations

import hashlib

import pytest
from schwifty import IBAN

from licensing.models import ApplicationState, LicenceState
from licensing.services.numbers import is_valid_number
from tests import factories as f

pytestmark = pytest.mark.django_db


def full_clean(obj):
    """``full_clean()``, leaving out protected FSM fields: django-fsm refuses the re-assignment
    that ``clean_fields`` makes (the services call ``full_clean(exclude=["state"])`` too)."""
    protected = [f.name for f in obj._meta.fields if getattr(f, "protected", False)]
    obj.full_clean(exclude=protected)


PLAIN = [
    f.PartyFactory,
    f.PersonFactory,
    f.TaxRegistrationFactory,
    f.CorporateAffiliationFactory,
    f.BankAccountFactory,
    f.CriminalRecordDeclarationFactory,
    f.SiteFactory,
    f.ProductionCapacityFactory,
    f.ProductFactory,
    f.ApplicationFactory,
    f.InvoiceFactory,
    f.PaymentFactory,
    f.InformationRequestFactory,
    f.MarketDeclarationFactory,
    f.LicenceFactory,
    f.LicenceTermFactory,
    f.IssuedDocumentFactory,
    f.ConditionFactory,
    f.DecisionProposalFactory,
    f.DocumentFactory,
    f.ReturnPeriodFactory,
    f.ReturnFactory,
    f.ReturnLineFactory,
    f.ReturnCounterpartFactory,
    f.ReturnPaymentFactory,
]


@pytest.mark.parametrize("factory", PLAIN, ids=lambda fac: fac.__name__)
def test_factory_builds_a_valid_object(factory):
    obj = factory()
    full_clean(obj)


@pytest.mark.parametrize("natural", [False, True], ids=["legal", "natural"])
def test_party_has_the_fields_its_kind_requires(natural):
    # Art. 6.3(b)(i) natural persons, 6.3(b)(ii) legal persons: Party.clean() checks both.
    party = f.PartyFactory(natural=natural)
    full_clean(party)
    assert party.kind == ("natural" if natural else "legal")


def test_bank_accounts_have_distinct_valid_ibans():
    # Art. 6.3(b)(vii)
    ibans = {f.BankAccountFactory().iban for _ in range(3)}
    assert len(ibans) == 3
    for iban in ibans:
        IBAN(iban)


@pytest.mark.parametrize(
    ("trait", "state"),
    [
        ("submitted", ApplicationState.SUBMITTED),
        ("in_review", ApplicationState.IN_REVIEW),
        ("information_requested", ApplicationState.INFORMATION_REQUESTED),
        ("approved", ApplicationState.APPROVED),
        ("refused", ApplicationState.REFUSED),
        ("withdrawn", ApplicationState.WITHDRAWN),
    ],
)
def test_application_traits_reach_their_state_with_an_invoice(trait, state):
    application = f.ApplicationFactory(**{trait: True})
    full_clean(application)
    assert application.state == state
    assert application.declaration_accepted_at and application.submitted_at
    # Art. 6.3(c): an invoice from submission on; paid only where the trait says so.
    assert application.invoice.amount > 0
    assert is_valid_number(application.invoice.number)
    assert application.invoice.is_paid == (trait == "approved")
    assert application.invoice.lines.count() == len(application.activities)


def test_information_requested_application_has_an_open_request():
    application = f.ApplicationFactory(information_requested=True)
    assert application.information_requests.filter(answered_at__isnull=True).count() == 1


def test_paid_trait_covers_the_invoice():
    application = f.ApplicationFactory(in_review=True, paid=True)
    assert application.invoice.is_paid


@pytest.mark.parametrize("kind", ["renewal", "change", "transfer"])
def test_application_kinds_name_a_licence(kind):
    application = f.ApplicationFactory(**{kind: True}, in_review=True)
    full_clean(application)
    assert application.kind == kind
    if kind == "transfer":  # Art. 6.4: the proposed licensee applies
        assert application.licence.holder != application.party
    else:
        assert application.licence.holder == application.party


@pytest.mark.parametrize(
    "trait", ["suspended", "revoked", "expired", "transferred", "surrendered", None]
)
def test_licence_traits_build_valid_licences(trait):
    licence = f.LicenceFactory(**({trait: True} if trait else {}))
    full_clean(licence)
    assert licence.state == (trait or LicenceState.ACTIVE)
    assert is_valid_number(licence.number)
    assert licence.application.state == ApplicationState.APPROVED
    assert licence.application.invoice.is_paid
    term = licence.terms.get()
    assert (term.valid_from, term.expires_on) == (licence.valid_from, licence.expires_on)


def test_expired_licence_is_within_its_grace_period():
    # Art. 6.3(f): renewable for LICENCE_RENEWAL_GRACE_DAYS after expiry.
    licence = f.LicenceFactory(expired=True)
    assert licence.is_renewable()


def test_licence_numbers_never_repeat():
    numbers = {f.LicenceFactory().number for _ in range(5)}
    assert len(numbers) == 5


def test_document_is_a_real_pdf_with_its_checksum():
    document = f.DocumentFactory()
    with document.file.open("rb") as stored:
        data = stored.read()
    assert data.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)


def test_revocation_proposal_concerns_a_licence():
    proposal = f.DecisionProposalFactory(revoke=True)
    full_clean(proposal)
    assert proposal.application is None
    assert proposal.subject_state == LicenceState.ACTIVE
