"""Factories for the licensing app. Each builds a valid object by default (``full_clean()``
passes); traits put applications and licences in any state. Numbers come from the same
sequences the services draw from, so a factory's number never collides with a service's.

Audit events are written by services only: there is no factory for them."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory
from schwifty import IBAN

from licensing.models import (
    Application,
    ApplicationKind,
    ApplicationState,
    AuditEvent,
    BankAccount,
    Condition,
    CorporateAffiliation,
    CriminalRecordDeclaration,
    DecisionGround,
    DecisionProposal,
    Document,
    DocumentKind,
    InformationRequest,
    Invoice,
    InvoiceLine,
    IssuedDocument,
    IssuedDocumentKind,
    Licence,
    LicenceState,
    LicenceTerm,
    MarketDeclaration,
    Party,
    PartyKind,
    Payment,
    Person,
    PersonRole,
    Product,
    ProductionCapacity,
    ProductType,
    ProposalAction,
    ProposalStatus,
    Site,
    SiteKind,
    TaxRegistration,
    Verb,
)
from licensing.services.audit import record_event
from licensing.services.fees import fee_for
from licensing.services.numbers import application_reference, invoice_number, licence_number

# A one-page PDF, small and real enough for the upload checks (magic bytes, size, SHA-256).
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)


def today() -> dt.date:
    return timezone.localdate()


def term_days() -> dt.timedelta:
    return dt.timedelta(days=settings.LICENCE_TERM_DAYS)


class UserFactory(DjangoModelFactory):
    """``UserFactory(role="licence officer")`` puts the user in that group (migration 0003)."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@authority.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.add(Group.objects.get(name=extracted))


class PartyFactory(DjangoModelFactory):
    """A legal person with every Art. 6.3(b)(ii) field; ``natural=True`` for a natural person
    with the Art. 6.3(b)(i) identification."""

    class Meta:
        model = Party

    class Params:
        natural = factory.Trait(
            kind=PartyKind.NATURAL,
            legal_name=factory.Faker("name"),
            trade_name="",
            registration_number="",
            date_of_incorporation=None,
            place_of_incorporation="",
            headquarters_address="",
            principal_place_of_business="",
            date_of_birth=dt.date(1975, 4, 12),
            nationality="NO",
            identity_document_type="passport",
            identity_document_number=factory.Sequence(lambda n: f"P{n:08d}"),
            identity_document_country="NO",
            identity_document_expires_on=dt.date(2031, 4, 11),
        )
        # A party the authority has approved (a licence holder): its drafts propose changes.
        # Without it, a party first filed and not yet decided (licensing.models.versions).
        approved = factory.Trait(approved_at=factory.LazyFunction(timezone.now))

    kind = PartyKind.LEGAL
    legal_name = factory.Sequence(lambda n: f"Tobakk Nord {n} AS")
    trade_name = factory.LazyAttribute(lambda o: o.legal_name.removesuffix(" AS"))
    registration_number = factory.Sequence(lambda n: f"9{n:08d}")
    country = "NO"
    date_of_incorporation = dt.date(2004, 3, 1)
    place_of_incorporation = "Oslo"
    headquarters_address = "Karl Johans gate 1\n0154 Oslo"
    principal_place_of_business = "Havnegata 12\n9008 Tromsø"
    address = "Postboks 100\n0101 Oslo"
    email = factory.Sequence(lambda n: f"party{n}@example.com")
    phone = "+47 22 00 00 00"
    preferred_language = "en"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    party = factory.SubFactory(PartyFactory)
    role = PersonRole.DIRECTOR
    full_name = factory.Faker("name")
    date_of_birth = dt.date(1968, 9, 30)
    nationality = "NO"
    identity_document_type = "passport"
    identity_document_number = factory.Sequence(lambda n: f"D{n:08d}")
    identity_document_country = "NO"
    identity_document_expires_on = dt.date(2030, 1, 31)
    active_from = dt.date(2020, 1, 1)


# Trait of the records an applicant can remove: ``ended=True`` for one no longer in use.
ENDED = factory.Trait(ended_at=factory.LazyFunction(timezone.now))


class TaxRegistrationFactory(DjangoModelFactory):
    class Meta:
        model = TaxRegistration

    class Params:
        ended = ENDED

    party = factory.SubFactory(PartyFactory)
    country = factory.LazyAttribute(lambda o: o.party.country)
    number = factory.Sequence(lambda n: f"NO{900000000 + n}MVA")


class CorporateAffiliationFactory(DjangoModelFactory):
    """Art. 6.3(b)(ii): the party's parent company."""

    class Meta:
        model = CorporateAffiliation

    class Params:
        ended = ENDED

    party = factory.SubFactory(PartyFactory)
    affiliate = factory.SubFactory(PartyFactory)
    relationship = "parent"


class BankAccountFactory(DjangoModelFactory):
    class Meta:
        model = BankAccount

    class Params:
        ended = ENDED

    party = factory.SubFactory(PartyFactory)
    iban = factory.Sequence(
        lambda n: str(IBAN.generate("DE", bank_code="37040044", account_code=str(532013000 + n)))
    )
    bic = "COBADEFFXXX"
    bank_name = "Commerzbank"
    bank_country = "DE"
    holder_name = factory.LazyAttribute(lambda o: o.party.legal_name)
    intended_use = "fees and trade payments"


class CriminalRecordDeclarationFactory(DjangoModelFactory):
    """Art. 6.3(b)(vi): the party's own declaration of no convictions."""

    class Meta:
        model = CriminalRecordDeclaration

    party = factory.SubFactory(PartyFactory)
    person = None
    has_convictions = False
    details = ""
    declared_on = factory.LazyFunction(today)


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    party = factory.SubFactory(PartyFactory)
    kind = SiteKind.MANUFACTURING
    name = factory.Sequence(lambda n: f"Plant {n}")
    street_address = "Industriveien 7"
    postal_code = "2000"
    municipality = "Lillestrøm"
    country = "NO"
    latitude = Decimal("59.955800")
    longitude = Decimal("11.050400")


class ProductionCapacityFactory(DjangoModelFactory):
    class Meta:
        model = ProductionCapacity

    site = factory.SubFactory(SiteFactory)
    product_type = ProductType.CIGARETTES
    units_per_year = 250_000_000


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    party = factory.SubFactory(PartyFactory)
    product_type = ProductType.CIGARETTES
    name = factory.Sequence(lambda n: f"Nordlys Blue {n}")
    description = "King size filter cigarettes, 20 per pack"
    brand = "Nordlys"
    trade_mark = "NORDLYS (reg. 301234)"


def invoice_amount(application: Application) -> Decimal:
    """What ``issue_invoice`` would charge by the fee schedule (migration 0004)."""
    total = Decimal("0.00")
    for activity in application.activities:
        fee = fee_for(activity=activity, kind=application.kind, on=today())
        total += fee.amount if fee else Decimal("0.00")
    return total or Decimal("100.00")


class ApplicationFactory(DjangoModelFactory):
    """A draft new-licence application. Traits: ``submitted``, ``in_review``,
    ``information_requested``, ``approved``, ``refused``, ``withdrawn`` (from submission);
    kinds ``renewal``, ``transfer``, ``change`` name a licence; ``paid=True`` records a payment
    of the whole invoice (Art. 6.3(c)). A submitted-or-later application gets its invoice."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    class Params:
        declared = factory.Trait(declaration_accepted_at=factory.LazyFunction(timezone.now))
        submitted = factory.Trait(
            declared=True,
            state=ApplicationState.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
        )
        in_review = factory.Trait(submitted=True, state=ApplicationState.IN_REVIEW)
        information_requested = factory.Trait(
            in_review=True, state=ApplicationState.INFORMATION_REQUESTED
        )
        approved = factory.Trait(
            in_review=True,
            state=ApplicationState.APPROVED,
            decided_at=factory.LazyFunction(timezone.now),
        )
        refused = factory.Trait(
            in_review=True,
            state=ApplicationState.REFUSED,
            decided_at=factory.LazyFunction(timezone.now),
        )
        withdrawn = factory.Trait(submitted=True, state=ApplicationState.WITHDRAWN)
        renewal = factory.Trait(
            kind=ApplicationKind.RENEWAL,
            licence=factory.SubFactory(
                "tests.factories.licensing.LicenceFactory",
                holder=factory.SelfAttribute("..party"),
                activities=factory.SelfAttribute("..activities"),
            ),
        )
        change = factory.Trait(
            kind=ApplicationKind.CHANGE,
            licence=factory.SubFactory(
                "tests.factories.licensing.LicenceFactory",
                holder=factory.SelfAttribute("..party"),
                activities=["import"],
            ),
            change_description="Art. 6.3(g): wholesale from the new Drammen warehouse.",
        )
        # Art. 6.4: the proposed licensee applies, with its own full information.
        transfer = factory.Trait(
            kind=ApplicationKind.TRANSFER,
            licence=factory.SubFactory(
                "tests.factories.licensing.LicenceFactory",
                activities=factory.SelfAttribute("..activities"),
            ),
        )

    reference = factory.LazyFunction(lambda: application_reference(today()))
    kind = ApplicationKind.NEW
    party = factory.SubFactory(PartyFactory)
    licence = None
    activities = factory.LazyFunction(lambda: ["import", "wholesale"])
    state = ApplicationState.DRAFT

    @factory.post_generation
    def invoice(obj, create, extracted, **kwargs):
        if create and obj.submitted_at is not None and extracted is not False:
            InvoiceFactory(application=obj)

    @factory.post_generation
    def paid(obj, create, extracted, **kwargs):
        # An approved application was paid (Art. 6.3(c)); others only when asked.
        if extracted is None:
            extracted = obj.state == ApplicationState.APPROVED
        if create and extracted:
            PaymentFactory(invoice=obj.invoice, amount=obj.invoice.amount)

    @factory.post_generation
    def open_request(obj, create, extracted, **kwargs):
        if (
            create
            and obj.state == ApplicationState.INFORMATION_REQUESTED
            and extracted is not False
        ):
            InformationRequestFactory(application=obj)


class InvoiceFactory(DjangoModelFactory):
    class Meta:
        model = Invoice
        skip_postgeneration_save = True

    application = factory.SubFactory(ApplicationFactory, submitted=True, invoice=False)
    number = factory.LazyFunction(lambda: invoice_number(today()))
    amount = factory.LazyAttribute(lambda o: invoice_amount(o.application))
    currency = "EUR"
    due_on = factory.LazyFunction(lambda: today() + dt.timedelta(days=settings.INVOICE_DUE_DAYS))

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        activities = obj.application.activities or ["import"]
        share = (obj.amount / len(activities)).quantize(Decimal("0.01"))
        for activity in activities:
            InvoiceLine.objects.create(invoice=obj, activity=activity, amount=share)


class PaymentFactory(DjangoModelFactory):
    class Meta:
        model = Payment

    invoice = factory.SubFactory(InvoiceFactory)
    reference = factory.Sequence(lambda n: f"NO93 8601 1117 947-{n:05d}")
    amount = factory.LazyAttribute(lambda o: o.invoice.amount)
    paid_on = factory.LazyFunction(today)
    recorded_by = factory.SubFactory(UserFactory, role="licence officer")


class InformationRequestFactory(DjangoModelFactory):
    class Meta:
        model = InformationRequest

    application = factory.SubFactory(
        ApplicationFactory, information_requested=True, open_request=False
    )
    question = "Send the lease of the warehouse in Drammen."
    requested_by = factory.SubFactory(UserFactory, role="licence officer")
    due_on = factory.LazyFunction(lambda: today() + dt.timedelta(days=30))


class MarketDeclarationFactory(DjangoModelFactory):
    """Art. 6.3(b)(viii)."""

    class Meta:
        model = MarketDeclaration

    class Params:
        ended = ENDED

    application = factory.SubFactory(ApplicationFactory)
    product_type = ProductType.CIGARETTES
    market = "SE"
    intended_use = "retail sale"
    anticipated_demand = 12_000_000


class LicenceFactory(DjangoModelFactory):
    """An active licence issued today for two years, with its issuing application (approved,
    paid) and its first term. Traits: ``suspended``, ``revoked``, ``expired`` (ten days ago,
    within the grace period), ``transferred``, ``surrendered``."""

    class Meta:
        model = Licence
        skip_postgeneration_save = True

    class Params:
        suspended = factory.Trait(state=LicenceState.SUSPENDED)
        revoked = factory.Trait(state=LicenceState.REVOKED)
        transferred = factory.Trait(state=LicenceState.TRANSFERRED)
        surrendered = factory.Trait(state=LicenceState.SURRENDERED)
        expired = factory.Trait(
            state=LicenceState.EXPIRED,
            valid_from=factory.LazyFunction(lambda: today() - term_days() - dt.timedelta(days=10)),
        )

    # Art. 6.3(a): the number is drawn as ``issue_licence`` draws it, with its check character.
    number = factory.LazyFunction(lambda: licence_number(today()))
    holder = factory.SubFactory(PartyFactory, approved=True)
    activities = factory.LazyFunction(lambda: ["import", "wholesale"])
    valid_from = factory.LazyFunction(today)
    expires_on = factory.LazyAttribute(lambda o: o.valid_from + term_days())
    application = factory.SubFactory(
        ApplicationFactory,
        approved=True,
        party=factory.SelfAttribute("..holder"),
        activities=factory.SelfAttribute("..activities"),
    )
    issued_at = factory.LazyFunction(timezone.now)
    state = LicenceState.ACTIVE

    @factory.post_generation
    def terms(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            LicenceTerm.objects.create(
                licence=obj,
                valid_from=obj.valid_from,
                expires_on=obj.expires_on,
                application=obj.application,
            )

    @factory.post_generation
    def sites(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.sites.set(extracted)


class LicenceTermFactory(DjangoModelFactory):
    class Meta:
        model = LicenceTerm

    licence = factory.SubFactory(LicenceFactory, terms=False)
    valid_from = factory.SelfAttribute("licence.valid_from")
    expires_on = factory.SelfAttribute("licence.expires_on")
    application = factory.SelfAttribute("licence.application")


class ConditionFactory(DjangoModelFactory):
    """On an application in review by default; pass ``licence=`` (and ``application=None``)
    for a licence condition. ``blocking=True`` stops issue or renewal until met."""

    class Meta:
        model = Condition

    application = factory.SubFactory(ApplicationFactory, in_review=True)
    licence = None
    text = "Install CCTV covering the loading bays before operating."
    blocking = False


class DecisionProposalFactory(DjangoModelFactory):
    """A pending refusal of an application in review; ``revoke=True`` for a pending revocation
    of an active licence. Four eyes: the proposer is a licence officer."""

    class Meta:
        model = DecisionProposal

    class Params:
        revoke = factory.Trait(
            application=None,
            licence=factory.SubFactory(LicenceFactory),
            action=ProposalAction.REVOKE,
        )

    application = factory.SubFactory(ApplicationFactory, in_review=True)
    licence = None
    action = ProposalAction.REFUSE
    ground = factory.LazyAttribute(
        lambda o: (
            "" if o.action == ProposalAction.APPROVE_TRANSFER else DecisionGround.CRIMINAL_RECORD
        )
    )
    reason = "Art. 6.3(b)(vi): convictions for smuggling not disclosed."
    subject_state = factory.LazyAttribute(lambda o: (o.application or o.licence).state)
    proposed_by = factory.SubFactory(UserFactory, role="licence officer")
    status = ProposalStatus.PENDING


class DocumentFactory(DjangoModelFactory):
    class Meta:
        model = Document

    party = factory.SubFactory(PartyFactory)
    application = None
    kind = DocumentKind.ARTICLES_OF_INCORPORATION
    file = factory.django.FileField(data=PDF_BYTES, filename="articles.pdf")
    original_name = "articles.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    sha256 = hashlib.sha256(PDF_BYTES).hexdigest()


def decision_event(subject: Any, verb: str) -> AuditEvent:
    """The audit event of a decision taken outside the services (a factory's state)."""
    return record_event(subject, verb=verb, by=None, reason="Art. 6.3(a): stock unaccounted for.")


class IssuedDocumentFactory(DjangoModelFactory):
    """A stored version without rendering a PDF; the issuing tests print real ones. Traits
    ``refusal_letter`` and ``suspension_letter``: a decision letter (Art. 6, 6.3(a)) with its
    decision's audit event, about a refused application or a suspended licence."""

    class Meta:
        model = IssuedDocument

    class Params:
        refusal_letter = factory.Trait(
            kind=IssuedDocumentKind.REFUSAL_LETTER,
            licence=None,
            application=factory.SubFactory(ApplicationFactory, refused=True),
            event=factory.LazyAttribute(lambda o: decision_event(o.application, Verb.REFUSED)),
        )
        suspension_letter = factory.Trait(
            kind=IssuedDocumentKind.SUSPENSION_LETTER,
            licence=factory.SubFactory(LicenceFactory, suspended=True),
            event=factory.LazyAttribute(lambda o: decision_event(o.licence, Verb.SUSPENDED)),
        )

    kind = IssuedDocumentKind.LICENCE
    licence = factory.SubFactory(LicenceFactory)
    application = None
    event = None
    version = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"TEST{n:06d}")
    file = factory.django.FileField(data=PDF_BYTES, filename="licence.pdf")
    size = len(PDF_BYTES)
    sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    language = "en"
