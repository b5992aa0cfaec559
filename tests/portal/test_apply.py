"""Filing a new licence application through the portal, step by step (Art. 6.3(b))."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from licensing.models import (
    Application,
    ApplicationState,
    AuditEvent,
    BankAccount,
    CorporateAffiliation,
    CriminalRecordDeclaration,
    DeclaredMachine,
    Document,
    Party,
    Person,
    Site,
)
from licensing.services.drafts import draft_problems
from tests.factories import (
    ApplicationFactory,
    PartyFactory,
    PersonFactory,
    SiteFactory,
    UserFactory,
)
from tests.portal.apply_helpers import (
    BANK,
    LEGAL_IDENTITY,
    MARKET,
    NATURAL_IDENTITY,
    SITE,
    director,
    fake_pdf,
    formset,
    pdf,
    step,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer() -> Any:
    """A portal user who acts for no party yet."""
    return UserFactory(is_staff=False, role="applicant")


@pytest.fixture
def client_for(client: Any) -> Any:
    def log_in(user: Any) -> Any:
        client.force_login(user)
        return client

    return log_in


def start_legal(client: Any) -> Party:
    response = client.post(reverse("portal:apply_new", kwargs={"kind": "legal"}), LEGAL_IDENTITY)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Party.objects.get(legal_name=LEGAL_IDENTITY["legal_name"])


def draft_for(party: Party, activities: list[str] | None = None) -> Application:
    return ApplicationFactory(party=party, activities=activities or ["import", "wholesale"])


# (a) type of applicant


def test_start_asks_natural_or_legal(client_for: Any, newcomer: Any) -> None:
    client = client_for(newcomer)
    response = client.post(reverse("portal:apply_start"), {})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    response = client.post(reverse("portal:apply_start"), {"kind": "legal"})
    assert response["Location"] == reverse("portal:apply_new", kwargs={"kind": "legal"})


def test_the_portal_asks_anonymous_users_to_sign_in(client: Any) -> None:
    response = client.get(reverse("portal:apply_start"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


# (b) identity


def test_legal_identity_creates_the_party_and_lets_the_filer_act_for_it(
    client_for: Any, newcomer: Any
) -> None:
    client = client_for(newcomer)
    party = start_legal(client)
    assert newcomer.has_perm("licensing.act_for_party", party)
    assert AuditEvent.objects.for_object(party).filter(verb="access_granted").exists()
    # Art. 6.3(b)(ii): a legal person goes on to its tax numbers, affiliates and directors.
    assert Application.objects.filter(party=party).count() == 0


def test_a_registration_number_in_the_wrong_format_is_refused_next_to_its_field(
    client_for: Any, newcomer: Any
) -> None:
    client = client_for(newcomer)
    data = {**LEGAL_IDENTITY, "registration_number": "123456789"}  # bad Norwegian check digit
    response = client.post(reverse("portal:apply_new", kwargs={"kind": "legal"}), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid business registration number" in html
    assert 'id="id_registration_number_error"' in html
    assert 'href="#id_registration_number"' in html  # in the error summary
    assert not Party.objects.filter(legal_name=LEGAL_IDENTITY["legal_name"]).exists()


def test_a_natural_person_needs_a_date_of_birth_and_identity_document(
    client_for: Any, newcomer: Any
) -> None:
    client = client_for(newcomer)
    url = reverse("portal:apply_new", kwargs={"kind": "natural"})
    response = client.post(url, {**NATURAL_IDENTITY, "date_of_birth": ""})
    assert response.status_code == 400
    assert not Party.objects.exists()
    response = client.post(url, NATURAL_IDENTITY)
    party = Party.objects.get()
    # Natural person: no affiliates or directors; on to the tax step.
    assert response["Location"] == step(party.public_id, "tax")


def test_identity_errors_are_in_the_users_language(client_for: Any, newcomer: Any) -> None:
    client = client_for(newcomer)
    response = client.post(
        reverse("portal:apply_new", kwargs={"kind": "natural"}),
        {**NATURAL_IDENTITY, "email": ""},
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert response.status_code == 400
    assert 'lang="nb"' in response.content.decode()


def test_tax_numbers_are_checked_by_country(client_for: Any, newcomer: Any) -> None:
    client = client_for(newcomer)
    party = start_legal(client)
    url = step(party.public_id, "tax")
    response = client.post(url, formset("tax", [{"country": "NO", "number": "NO123MVA"}]))
    assert response.status_code == 400
    assert "Enter a valid tax registration number" in response.content.decode()
    assert not party.tax_registrations.exists()
    response = client.post(url, formset("tax", [{"country": "NO", "number": "NO 988 077 917 MVA"}]))
    assert response["Location"] == step(party.public_id, "affiliates")
    assert party.tax_registrations.get().number == "988077917MVA"


def test_affiliates_name_other_parties_or_none(client_for: Any, newcomer: Any) -> None:
    client = client_for(newcomer)
    party = start_legal(client)
    url = step(party.public_id, "affiliates")
    # Leaving the row empty: no affiliates.
    response = client.post(url, formset("aff", [{}]))
    assert response["Location"] == step(party.public_id, "people")
    bad = {"name": "Mor AS", "registration_number": "123", "country": "NO", "relationship": "x"}
    assert client.post(url, formset("aff", [bad])).status_code == 400
    good = {**bad, "registration_number": "974760673", "relationship": "parent"}
    response = client.post(url, formset("aff", [good]))
    assert response.status_code == 302, response.content.decode().split("<h1>")[0][-1500:]
    affiliation = CorporateAffiliation.objects.get(party=party)
    assert affiliation.affiliate.registration_number == "974760673"
    assert not newcomer.has_perm("licensing.act_for_party", affiliation.affiliate)


def test_a_legal_person_needs_a_director_and_a_removed_one_ends_the_role(
    client_for: Any, newcomer: Any
) -> None:
    client = client_for(newcomer)
    party = start_legal(client)
    url = step(party.public_id, "people")
    only_rep = formset("person", [director("Ola Rep", "R1", role="legal_representative")])
    response = client.post(url, only_rep)
    assert response.status_code == 400
    assert "at least one director" in response.content.decode()
    assert not Person.objects.exists()
    two = formset("person", [director("Ola Nordmann", "D1"), director("Eva Hansen", "D2")])
    response = client.post(url, two)
    assert response["Location"] == step(party.public_id, "activities")
    first, second = Person.objects.order_by("pk")
    # Remove the second director: kept as a record, its role ended.
    data = formset(
        "person",
        [
            {**director("Ola Nordmann", "D1"), "id": first.pk},
            {**director("Eva Hansen", "D2"), "id": second.pk, "DELETE": "on"},
        ],
        initial=2,
    )
    client.post(url, data)
    second.refresh_from_db()
    assert second.active_until is not None


# (c) activities: the first save creates the application


def test_activities_create_the_draft_application(client_for: Any, newcomer: Any) -> None:
    client = client_for(newcomer)
    party = start_legal(client)
    url = step(party.public_id, "activities")
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Choose at least one activity." in response.content.decode()
    response = client.post(url, {"activities": ["wholesale", "import"]})
    application = Application.objects.get(party=party)
    assert application.state == ApplicationState.DRAFT
    assert application.activities == ["import", "wholesale"]
    assert response["Location"] == step(application.public_id, "sites")
    # The party's address resolves to the same draft: no second application.
    client.post(url, {"activities": ["import"]})
    assert Application.objects.filter(party=party).count() == 1


# (d)-(e) sites, capacity, products and machines


def test_sites_need_both_coordinates_or_neither(client_for: Any) -> None:
    party = PartyFactory()
    application = draft_for(party)
    client = client_for(UserFactory(is_staff=False, role="applicant"))
    client.force_login(_acting(party))
    url = step(application.public_id, "sites")
    response = client.post(url, formset("site", [{**SITE, "longitude": ""}]))
    assert response.status_code == 400
    assert "Give both latitude and longitude" in response.content.decode()
    assert not Site.objects.exists()
    response = client.post(url, formset("site", [SITE]))
    assert response.status_code == 302
    assert application.sites.get().name == "Lager Alnabru"


def _acting(party: Party) -> Any:
    from guardian.shortcuts import assign_perm

    user = UserFactory(is_staff=False, role="applicant")
    assign_perm("licensing.act_for_party", user, party)
    return type(user).objects.get(pk=user.pk)


def test_manufacturing_needs_capacity_products_and_machines(client: Any) -> None:
    party = PartyFactory()
    application = draft_for(party, ["manufacture_products"])
    client.force_login(_acting(party))
    client.post(
        step(application.public_id, "sites"),
        formset("site", [{**SITE, "kind": "manufacturing", "name": "Fabrikk"}]),
    )
    site = application.sites.get()
    missing = {p.step for p in draft_problems(application)}
    assert {"capacity", "products", "machines"} <= missing
    cap = {"site": site.pk, "product_type": "cigarettes", "units_per_year": "-5"}
    assert (
        client.post(step(application.public_id, "capacity"), formset("cap", [cap])).status_code
        == 400
    )
    cap["units_per_year"] = "200000000"
    client.post(step(application.public_id, "capacity"), formset("cap", [cap]))
    product = {
        "product_type": "cigarettes",
        "name": "Nordlys",
        "description": "King size",
        "trade_mark": "",
        "brand": "Nordlys",
        "design": "",
    }
    client.post(step(application.public_id, "products"), formset("product", [product]))
    machine = {"make": "Hauni", "model": "Protos 90", "serial_number": "", "site": site.pk}
    url = step(application.public_id, "machines")
    assert client.post(url, formset("machine", [machine])).status_code == 400
    other_site = SiteFactory()  # another party's site: not offered
    bad_site = {**machine, "serial_number": "S-1", "site": other_site.pk}
    assert client.post(url, formset("machine", [bad_site])).status_code == 400
    client.post(url, formset("machine", [{**machine, "serial_number": "S-1"}]))
    assert DeclaredMachine.objects.get().site == site
    missing = {p.step for p in draft_problems(application)}
    assert not {"capacity", "products", "machines"} & missing


def test_machines_are_not_asked_without_manufacturing(client: Any) -> None:
    party = PartyFactory()
    application = draft_for(party, ["import"])
    client.force_login(_acting(party))
    response = client.get(step(application.public_id, "machines"))
    assert response.status_code == 302
    assert response["Location"] == step(application.public_id, "criminal")


# (f) criminal records


def test_criminal_record_declarations_for_party_and_each_director(client: Any) -> None:
    party = PartyFactory()
    PersonFactory(party=party)
    application = draft_for(party)
    client.force_login(_acting(party))
    url = step(application.public_id, "criminal")
    data = {"crd0-has_convictions": "yes", "crd0-details": "", "crd1-has_convictions": "no"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Describe the declared convictions." in response.content.decode()
    data["crd0-details"] = "2015, fine for late excise return"
    response = client.post(url, {**data, "crd1-document": pdf("record.pdf")})
    assert response.status_code == 302
    assert CriminalRecordDeclaration.objects.filter(party=party).count() == 2
    assert CriminalRecordDeclaration.objects.get(person__isnull=False).document is not None


def test_a_renamed_executable_is_refused_and_nothing_is_saved(client: Any) -> None:
    party = PartyFactory()
    PersonFactory(party=party)
    application = draft_for(party)
    client.force_login(_acting(party))
    data = {
        "crd0-has_convictions": "no",
        "crd0-document": pdf("ok.pdf"),
        "crd1-has_convictions": "no",
        "crd1-document": fake_pdf("record.pdf"),
    }
    response = client.post(step(application.public_id, "criminal"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Upload a PDF, PNG or JPEG file." in html
    assert 'id="id_crd1-document_error"' in html
    assert not CriminalRecordDeclaration.objects.exists()
    assert not Document.objects.exists()


# (g) bank accounts, (h) markets, (i) documents


def test_bank_accounts_are_checked_by_iban_and_bic(client: Any) -> None:
    party = PartyFactory()
    application = draft_for(party)
    client.force_login(_acting(party))
    url = step(application.public_id, "bank")
    response = client.post(url, formset("bank", [{**BANK, "iban": "NO9386011117948"}]))
    assert response.status_code == 400
    assert "Enter a valid IBAN." in response.content.decode()
    response = client.post(url, formset("bank", [{**BANK, "bic": "NOTABIC"}]))
    assert "Enter a valid BIC." in response.content.decode()
    response = client.post(url, formset("bank", [{**BANK, "iban": ""}]))
    assert "Enter an IBAN or an account number." in response.content.decode()
    assert not BankAccount.objects.exists()
    response = client.post(url, formset("bank", [{**BANK, "iban": "no93 8601 1117 947"}]))
    assert response.status_code == 302
    assert party.bank_accounts.get().iban == "NO9386011117947"


def test_market_declarations_need_a_demand(client: Any) -> None:
    party = PartyFactory()
    application = draft_for(party)
    client.force_login(_acting(party))
    url = step(application.public_id, "markets")
    response = client.post(url, formset("market", [{**MARKET, "anticipated_demand": ""}]))
    assert response.status_code == 400
    response = client.post(url, formset("market", [MARKET]))
    assert response.status_code == 302
    assert application.market_declarations.get().anticipated_demand == 5_000_000


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("articles.pdf", b"MZ\x90\x00" + b"\x00" * 64),  # a Windows executable
        ("articles.pdf", b"<!doctype html><script>alert(1)</script>"),
    ],
)
def test_documents_that_are_not_pdf_are_refused(client: Any, name: str, content: bytes) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    party = PartyFactory()
    application = draft_for(party)
    client.force_login(_acting(party))
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(
        step(application.public_id, "documents"), {"kind": "articles", "file": upload}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Upload a PDF, PNG or JPEG file." in html
    assert 'id="id_file_error"' in html
    assert not Document.objects.exists()


def test_articles_of_incorporation_are_uploaded(client: Any) -> None:
    party = PartyFactory()
    application = draft_for(party)
    client.force_login(_acting(party))
    url = step(application.public_id, "documents")
    assert "documents" in {p.step for p in draft_problems(application)}
    response = client.post(url, {"kind": "articles", "file": pdf()})
    assert response.status_code == 302
    assert "documents" not in {p.step for p in draft_problems(application)}
    assert "articles.pdf" in client.get(url).content.decode()
