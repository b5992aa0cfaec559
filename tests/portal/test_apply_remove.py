"""Removing a tax registration, bank account, corporate affiliation or market declaration from a
draft: the record is ended, never deleted (Art. 9.5(a)), and no longer counts as the
applicant's data (Art. 6.3(b))."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from licensing.exceptions import PermissionDenied, TransitionNotAllowed
from licensing.models import (
    Application,
    ApplicationState,
    AuditEvent,
    BankAccount,
    CorporateAffiliation,
    MarketDeclaration,
    Party,
    TaxRegistration,
)
from licensing.services import drafts
from tests.factories import (
    ApplicationFactory,
    BankAccountFactory,
    CorporateAffiliationFactory,
    MarketDeclarationFactory,
    PartyFactory,
    TaxRegistrationFactory,
    UserFactory,
)
from tests.portal.apply_helpers import (
    BANK,
    LEGAL_IDENTITY,
    MARKET,
    SITE,
    director,
    formset,
    pdf,
    step,
)
from tests.portal.test_apply import _acting

pytestmark = pytest.mark.django_db

SECOND_IBAN = "NO7215031234562"
SWEDISH_VAT = "SE556677889901"
SWEDISH_VAT_SHOWN = "556677889901"  # as python-stdnum compacts it
DUTY_FREE = {**MARKET, "market": "SE", "intended_use": "duty-free sale", "anticipated_demand": "7"}
MOTHER = {"name": "Mor AS", "registration_number": "974760673", "country": "NO"}
SISTER = {"name": "Søster AS", "registration_number": "923609016", "country": "NO"}


def check_url(public_id: Any) -> str:
    return reverse("portal:apply_check", kwargs={"public_id": public_id})


def file_with_two_of_each(client: Any) -> Application:
    """A complete draft of a legal person, filed as a browser would, with two tax numbers, two
    affiliates, two bank accounts and two market declarations."""
    client.post(reverse("portal:apply_new", kwargs={"kind": "legal"}), LEGAL_IDENTITY)
    party = Party.objects.get(legal_name=LEGAL_IDENTITY["legal_name"])
    taxes = [
        {"country": "NO", "number": "NO988077917MVA"},
        {"country": "SE", "number": SWEDISH_VAT},
    ]
    assert client.post(step(party.public_id, "tax"), formset("tax", taxes)).status_code == 302
    affiliates = [
        {**MOTHER, "relationship": "parent"},
        {**SISTER, "relationship": "sister"},
    ]
    response = client.post(step(party.public_id, "affiliates"), formset("aff", affiliates))
    assert response.status_code == 302
    people = formset("person", [director("Ola Nordmann", "D1")])
    assert client.post(step(party.public_id, "people"), people).status_code == 302
    client.post(step(party.public_id, "activities"), {"activities": ["import", "wholesale"]})
    application = Application.objects.get(party=party)
    pid = application.public_id
    client.post(step(pid, "sites"), formset("site", [SITE]))
    crd = {f"crd{i}-has_convictions": "no" for i in range(2)}
    client.post(step(pid, "criminal"), crd)
    banks = [BANK, {**BANK, "iban": SECOND_IBAN, "bank_name": "Sparebank 1"}]
    assert client.post(step(pid, "bank"), formset("bank", banks)).status_code == 302
    markets = formset("market", [MARKET, DUTY_FREE])
    assert client.post(step(pid, "markets"), markets).status_code == 302
    client.post(step(pid, "documents"), {"kind": "articles", "file": pdf()})
    assert drafts.draft_problems(application) == []
    return application


def removal(prefix: str, keep: list[dict[str, Any]], remove: list[dict[str, Any]]) -> Any:
    """The step's formset as posted back: the saved rows (``id``), those to remove ticked."""
    rows = [*keep, *({**row, "DELETE": "on"} for row in remove)]
    return formset(prefix, rows, initial=len(rows))


def step_events(subject: Any, name: str) -> list[dict[str, Any]]:
    return [
        e.changes
        for e in AuditEvent.objects.for_object(subject).filter(verb="edited")
        if e.changes.get("step") == name
    ]


def test_each_kind_of_item_is_ended_kept_and_left_out_of_the_check_page_and_snapshot(
    client: Any,
) -> None:
    client.force_login(UserFactory(is_staff=False, role="applicant"))
    application = file_with_two_of_each(client)
    party, pid = application.party, application.public_id
    no_tax, se_tax = party.tax_registrations.order_by("pk")
    mother, sister = party.affiliations.order_by("pk")
    first_bank, second_bank = party.bank_accounts.order_by("pk")
    market, duty_free = application.market_declarations.order_by("pk")
    page = client.get(check_url(pid)).content.decode()
    assert SWEDISH_VAT_SHOWN in page and "Søster AS" in page and SECOND_IBAN in page
    assert "duty-free sale" in page

    posts = {
        "tax": removal(
            "tax",
            [{"id": no_tax.pk, "country": "NO", "number": no_tax.number}],
            [{"id": se_tax.pk, "country": "SE", "number": se_tax.number}],
        ),
        "affiliates": removal(
            "aff",
            [{"id": mother.pk, "relationship": "parent"}],
            [{"id": sister.pk, "relationship": "sister"}],
        ),
        "bank": removal(
            "bank",
            [{**BANK, "id": first_bank.pk}],
            [{**BANK, "iban": SECOND_IBAN, "bank_name": "Sparebank 1", "id": second_bank.pk}],
        ),
        "markets": removal(
            "market", [{**MARKET, "id": market.pk}], [{**DUTY_FREE, "id": duty_free.pk}]
        ),
    }
    for slug, data in posts.items():
        response = client.post(f"{step(pid, slug)}?return=check", data)
        assert response.status_code == 302, (slug, response.content.decode()[-3000:])
        assert response["Location"] == check_url(pid)

    # Kept, with the time they ended (Art. 9.5(a)); the others are still current.
    for ended in (se_tax, sister, second_bank, duty_free):
        ended.refresh_from_db()
        assert ended.ended_at is not None, ended
    for kept in (no_tax, mother, first_bank, market):
        kept.refresh_from_db()
        assert kept.ended_at is None, kept
    assert TaxRegistration.objects.filter(party=party).count() == 2
    assert BankAccount.objects.filter(party=party).count() == 2
    assert CorporateAffiliation.objects.filter(party=party).count() == 2
    assert MarketDeclaration.objects.filter(application=application).count() == 2

    # The steps and the check page show the current ones only.
    assert SWEDISH_VAT_SHOWN not in client.get(step(pid, "tax")).content.decode()
    assert "Søster AS" not in client.get(step(pid, "affiliates")).content.decode()
    page = client.get(check_url(pid)).content.decode()
    for gone in (SWEDISH_VAT_SHOWN, "Søster AS", SECOND_IBAN, "duty-free sale"):
        assert gone not in page, gone
    for still in ("988077917MVA", "Mor AS", BANK["iban"], MARKET["intended_use"]):
        assert still in page, still

    response = client.post(check_url(pid), {"declared": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    data = application.snapshot.data
    assert [t["id"] for t in data["tax_registrations"]] == [no_tax.pk]
    assert [a["id"] for a in data["affiliations"]] == [mother.pk]
    assert [b["id"] for b in data["bank_accounts"]] == [first_bank.pk]
    assert [m["id"] for m in data["market_declarations"]] == [market.pk]


def test_a_removal_is_in_the_audit_trail_without_personal_values(client: Any) -> None:
    party = PartyFactory()
    application = ApplicationFactory(party=party)
    account = BankAccountFactory(party=party)
    client.force_login(_acting(party))
    data = removal("bank", [], [{**BANK, "iban": account.iban, "id": account.pk}])
    assert client.post(step(application.public_id, "bank"), data).status_code == 302
    account.refresh_from_db()
    assert account.ended_at is not None
    # Art. 5: the trail names the step and how many records, never the account itself.
    assert step_events(party, "bank") == [{"step": "bank", "records": 0, "removed": 1}]
    trail = json.dumps([e.changes for e in AuditEvent.objects.all()])
    assert account.iban not in trail


def test_saved_rows_have_a_remove_box_and_a_new_row_has_none(client: Any) -> None:
    party = PartyFactory()
    application = ApplicationFactory(party=party)
    MarketDeclarationFactory(application=application)
    client.force_login(_acting(party))
    page = client.get(step(application.public_id, "markets")).content.decode()
    assert 'name="market-0-DELETE"' in page
    assert "Remove" in page
    assert 'name="market-1-DELETE"' not in page  # the empty row for a new declaration


def test_a_removed_tax_numbers_country_can_be_registered_again(client: Any) -> None:
    party = PartyFactory()
    old = TaxRegistrationFactory(party=party, country="NO", number="NO988077917MVA")
    client.force_login(_acting(party))
    url = step(party.public_id, "tax")
    # Removing the old number and giving the new one in the same post.
    data = removal("tax", [], [{"id": old.pk, "country": "NO", "number": old.number}])
    data |= {"tax-TOTAL_FORMS": "2", "tax-1-country": "NO", "tax-1-number": "NO974760673MVA"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    old.refresh_from_db()
    assert old.ended_at is not None
    assert [t.number for t in party.tax_registrations.current()] == ["974760673MVA"]
    assert party.tax_registrations.count() == 2
    # Still one current number per country.
    twice = formset(
        "tax",
        [
            {"id": party.tax_registrations.current().get().pk, "country": "NO", "number": "x"},
            {"country": "NO", "number": "NO988077917MVA"},
        ],
        initial=1,
    )
    assert client.post(url, twice).status_code == 400
    assert party.tax_registrations.current().count() == 1


def test_the_database_allows_one_current_tax_number_and_affiliation_per_pair() -> None:
    party, affiliate = PartyFactory(), PartyFactory()
    TaxRegistrationFactory(party=party, country="NO", ended=True)
    CorporateAffiliationFactory(party=party, affiliate=affiliate, ended=True)
    TaxRegistrationFactory(party=party, country="NO")
    CorporateAffiliationFactory(party=party, affiliate=affiliate)
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxRegistrationFactory(party=party, country="NO")
    with pytest.raises(IntegrityError), transaction.atomic():
        CorporateAffiliationFactory(party=party, affiliate=affiliate)


def test_a_removed_affiliate_can_be_named_again(client: Any) -> None:
    party = PartyFactory()
    client.force_login(_acting(party))
    url = step(party.public_id, "affiliates")
    client.post(url, formset("aff", [{**MOTHER, "relationship": "parent"}]))
    link = party.affiliations.get()
    assert "Mor AS" in client.get(url).content.decode()
    client.post(url, removal("aff", [], [{"id": link.pk, "relationship": "parent"}]))
    link.refresh_from_db()
    assert link.ended_at is not None
    assert "Mor AS" not in client.get(url).content.decode()
    assert step_events(party, "affiliates")[-1] == {
        "step": "affiliates",
        "records": 0,
        "removed": 1,
    }
    response = client.post(url, formset("aff", [{**MOTHER, "relationship": "parent"}]))
    assert response.status_code == 302
    again = party.affiliations.current().get()
    assert again.pk != link.pk and again.affiliate_id == link.affiliate_id


def test_removing_the_only_required_items_leaves_the_draft_incomplete(client: Any) -> None:
    party = PartyFactory()  # a legal person: a tax number is required (Art. 6.3(b)(ii))
    application = ApplicationFactory(party=party)
    tax = TaxRegistrationFactory(party=party)
    account = BankAccountFactory(party=party)
    market = MarketDeclarationFactory(application=application)
    client.force_login(_acting(party))
    pid = application.public_id
    before = {p.step for p in drafts.draft_problems(application)}
    assert not {"tax", "bank", "markets"} & before
    posts = {
        "tax": removal("tax", [], [{"id": tax.pk, "country": tax.country, "number": tax.number}]),
        "bank": removal("bank", [], [{**BANK, "id": account.pk}]),
        "markets": removal("market", [], [{**MARKET, "id": market.pk}]),
    }
    for slug, data in posts.items():
        assert client.post(step(pid, slug), data).status_code == 302, slug
    after = {p.step for p in drafts.draft_problems(application)}
    assert {"tax", "bank", "markets"} <= after
    page = client.get(check_url(pid)).content.decode()
    assert "Give at least one tax registration number." in page
    assert "Add the bank account used in the transactions." in page
    assert "Declare the intended use and market." in page
    response = client.post(check_url(pid), {"declared": "on"})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_another_user_cannot_remove_anything(client: Any) -> None:
    party = PartyFactory()
    application = ApplicationFactory(party=party)
    tax = TaxRegistrationFactory(party=party)
    market = MarketDeclarationFactory(application=application)
    stranger = UserFactory(is_staff=False, role="applicant")
    client.force_login(stranger)
    tax_data = removal("tax", [], [{"id": tax.pk, "country": tax.country, "number": tax.number}])
    for public_id in (application.public_id, party.public_id):
        assert client.post(step(public_id, "tax"), tax_data).status_code == 404
    data = removal("market", [], [{**MARKET, "id": market.pk}])
    assert client.post(step(application.public_id, "markets"), data).status_code == 404
    # Nor through the services.
    with pytest.raises(PermissionDenied):
        drafts.save_tax_registrations(
            party=party, application=None, rows=[], removed=[tax], by=stranger
        )
    with pytest.raises(PermissionDenied):
        drafts.save_application_rows(
            application=application, rows=[], removed=[market], step="markets", by=stranger
        )
    tax.refresh_from_db()
    market.refresh_from_db()
    assert tax.ended_at is None and market.ended_at is None


def test_a_row_of_another_party_is_not_removed_through_ones_own_draft(client: Any) -> None:
    party, other = PartyFactory(), PartyFactory()
    application = ApplicationFactory(party=party)
    theirs = BankAccountFactory(party=other)
    theirs_market = MarketDeclarationFactory()
    user = _acting(party)
    client.force_login(user)
    # Not a row of this draft's formset: the ticked box removes nothing.
    data = removal("bank", [], [{**BANK, "id": theirs.pk}])
    client.post(step(application.public_id, "bank"), data)
    data = removal("market", [], [{**MARKET, "id": theirs_market.pk}])
    client.post(step(application.public_id, "markets"), data)
    assert not step_events(party, "bank")
    assert step_events(application, "markets") == [{"step": "markets", "records": 0, "removed": 0}]
    with pytest.raises(PermissionDenied):
        drafts.save_bank_accounts(
            party=party, application=application, rows=[], removed=[theirs], by=user
        )
    theirs.refresh_from_db()
    theirs_market.refresh_from_db()
    assert theirs.ended_at is None and theirs_market.ended_at is None


def test_removal_is_refused_once_the_application_is_submitted(client: Any) -> None:
    party = PartyFactory()
    application = ApplicationFactory(party=party, submitted=True)
    market = MarketDeclarationFactory(application=application)
    account = BankAccountFactory(party=party)
    user = _acting(party)
    client.force_login(user)
    data = removal("market", [], [{**MARKET, "id": market.pk}])
    assert client.post(step(application.public_id, "markets"), data).status_code == 404
    with pytest.raises(TransitionNotAllowed):
        drafts.save_application_rows(
            application=application, rows=[], removed=[market], step="markets", by=user
        )
    with pytest.raises(TransitionNotAllowed):
        drafts.save_bank_accounts(
            party=party, application=application, rows=[], removed=[account], by=user
        )
    market.refresh_from_db()
    account.refresh_from_db()
    assert market.ended_at is None and account.ended_at is None


def test_an_officer_still_sees_ended_rows_in_the_admin_after_the_current_ones(
    client: Any, officer: Any
) -> None:
    party = PartyFactory()
    application = ApplicationFactory(party=party, submitted=True)
    TaxRegistrationFactory(party=party, country="SE", number="SE556677889901", ended=True)
    TaxRegistrationFactory(party=party, country="NO", number="NO988077917MVA")
    MarketDeclarationFactory(application=application, intended_use="duty-free sale", ended=True)
    MarketDeclarationFactory(application=application, intended_use="retail sale")
    client.force_login(officer)

    page = client.get(reverse("admin:licensing_party_change", args=[party.pk])).content.decode()
    assert "No longer in use since" in page
    assert page.index("NO988077917MVA") < page.index("SE556677889901")
    # Read only: the officer sees when it ended, and cannot change it here.
    assert 'name="tax_registrations-0-ended_at"' not in page
    assert 'name="tax_registrations-1-ended_at"' not in page

    url = reverse("admin:licensing_application_change", args=[application.pk])
    page = client.get(url).content.decode()
    assert page.index("retail sale") < page.index("duty-free sale")


def test_a_saved_affiliates_relationship_changes_but_not_who_it_is(client: Any) -> None:
    party = PartyFactory()
    client.force_login(_acting(party))
    url = step(party.public_id, "affiliates")
    client.post(url, formset("aff", [{**MOTHER, "relationship": "parent"}]))
    link = party.affiliations.get()
    # The affiliate's name and number are another party's record: posted changes are ignored.
    data = formset(
        "aff",
        [{"id": link.pk, **SISTER, "relationship": "majority owner"}],
        initial=1,
    )
    assert client.post(url, data).status_code == 302
    link.refresh_from_db()
    assert link.relationship == "majority owner"
    assert link.affiliate.registration_number == MOTHER["registration_number"]
    assert party.affiliations.count() == 1


def test_an_officer_adding_a_second_current_tax_number_for_a_country_is_told(
    client: Any, officer: Any
) -> None:
    from tests.licensing.test_admin_pages import _party_form

    party = PartyFactory()
    TaxRegistrationFactory(party=party, country="SE", number="SE556677889901")
    TaxRegistrationFactory(party=party, country="NO", number="NO988077917MVA", ended=True)
    client.force_login(officer)
    url = reverse("admin:licensing_party_change", args=[party.pk])

    def add(country: str, number: str) -> Any:
        data = _party_form(party) | {
            "tax_registrations-TOTAL_FORMS": "1",
            "tax_registrations-0-country": country,
            "tax_registrations-0-number": number,
        }
        return client.post(url, data)

    response = add("SE", "SE556677889902")
    assert response.status_code == 200
    assert "There is already a tax registration number for this country." in (
        response.content.decode()
    )
    assert add("NO", "NO974760673MVA").status_code == 302  # the Norwegian one had ended
    assert party.tax_registrations.current().count() == 2
