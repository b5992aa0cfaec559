"""Regulated records change only by the authority's decision (Art. 6.3(g), 9): what a licensed
party's user enters in a draft is a proposal; approval makes it current and keeps the version it
replaced; ``party_as_of`` answers what the authority knew on a day."""

from __future__ import annotations

import datetime as dt
import subprocess
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from licensing.as_of import party_as_of
from licensing.exchange.export import export_records
from licensing.models import (
    Application,
    ApplicationState,
    BankAccount,
    Party,
    Person,
    RecordVersion,
    Site,
)
from licensing.models.versions import RecordSource
from licensing.services import applications as application_services
from licensing.services.approve_proposals import StaleRecords
from licensing.services.printing import licence_pdf
from licensing.services.proposals import REGULATED
from licensing.services.versions import write_version
from tests.factories import (
    BankAccountFactory,
    LicenceFactory,
    PartyFactory,
    PaymentFactory,
    PersonFactory,
    SiteFactory,
)
from tests.portal.apply_helpers import BANK, LEGAL_IDENTITY, SITE, director, formset, step

pytestmark = pytest.mark.django_db

OLD_NAME = "Fjelltobakk AS"
NEW_NAME = "Fjelltobakk Holding AS"


def version_as_kept(party: Party, when: dt.datetime) -> None:
    """The records as the migration leaves them: version 1 of each, valid from ``when``."""
    rows: list[Any] = [party]
    for model in REGULATED:
        rows.extend(
            model.objects.filter(site__party=party)
            if model._meta.model_name == "productioncapacity"
            else model.objects.filter(party=party)
        )
    for row in rows:
        write_version(row, when=when, source=RecordSource.MIGRATION)


@pytest.fixture
def licensed(applicant_for: Any) -> dict[str, Any]:
    """A licence holder approved a year ago, with a director, a bank account and a site."""
    party = PartyFactory(
        approved=True,
        legal_name=OLD_NAME,
        trade_name="Fjelltobakk",
        registration_number="988077917",
    )
    site = SiteFactory(party=party, name="Lager Alnabru", street_address="Strømsveien 200")
    licence = LicenceFactory(holder=party, sites=[site])
    person = PersonFactory(party=party, full_name="Kari Fjell")
    account = BankAccountFactory(party=party)
    version_as_kept(party, timezone.now() - dt.timedelta(days=365))
    return {
        "party": party,
        "licence": licence,
        "site": site,
        "person": person,
        "account": account,
        "user": applicant_for(party),
    }


def start_draft(client: Any, world: dict[str, Any]) -> Application:
    """The holder's user starts a new-licence draft: the activities step creates it."""
    client.force_login(world["user"])
    party = world["party"]
    response = client.post(step(party.public_id, "activities"), {"activities": ["wholesale"]})
    assert response.status_code == 302
    return Application.objects.get(party=party, state=ApplicationState.DRAFT)


def rename(client: Any, application: Application, party: Party, name: str = NEW_NAME) -> dict:
    """The applicant renames the holder on the draft's identity step; returns what it posted."""
    identity = {
        **LEGAL_IDENTITY,
        "legal_name": name,
        "registration_number": party.registration_number,
    }
    response = client.post(step(application.public_id, "identity"), identity)
    assert response.status_code == 302, response.content.decode()
    return identity


def to_review(application: Application, officer: Any) -> None:
    """Past the steps this test is not about: submitted, paid, taken for review."""
    Application.objects.filter(pk=application.pk).update(
        state=ApplicationState.SUBMITTED, submitted_at=timezone.now()
    )
    application_services.start_review(application_id=application.pk, by=officer)
    from licensing.services.fees import issue_invoice

    invoice = issue_invoice(application=Application.objects.get(pk=application.pk), by=officer)
    PaymentFactory(invoice=invoice, amount=invoice.amount)


def approve(application: Application, officer: Any) -> None:
    application_services.approve_application(application_id=application.pk, by=officer)


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=content,
        capture_output=True,
        check=True,
    ).stdout.decode()


def outside_views(client: Any, world: dict[str, Any], registrar: Any) -> dict[str, str]:
    """What people outside the drafting see: the register, the verification JSON, a reprint of
    the licence and an export."""
    licence = world["licence"]
    client.logout()
    register = client.get(reverse("verify:register"), {"name": "Fjell"}).content.decode()
    json = client.get(reverse("verify:licence_json", args=[licence.number])).json()
    export = export_records(
        records=Party.objects.filter(pk=world["party"].pk), fmt="csv", by=registrar
    )
    return {
        "register": register,
        "verification": json["licence"]["trade_name"] or "",
        "pdf": pdf_text(licence_pdf(licence_id=licence.pk)),
        "export": export.content.decode("utf-8-sig"),
    }


def test_a_renamed_holder_stays_as_approved_until_the_officer_decides(
    client: Any, licensed: dict[str, Any], officer: Any, registrar: Any
) -> None:
    """The reported path (Art. 6.3(g), 9): a licensed party's user renames the holder in a new
    draft; nothing outside the draft changes until approval; then everything does; the as-of
    selector still knows the old name for yesterday."""
    party = licensed["party"]
    application = start_draft(client, licensed)
    identity = {**LEGAL_IDENTITY, "legal_name": NEW_NAME, "trade_name": "Fjell Holding"}
    identity["registration_number"] = party.registration_number
    response = client.post(step(application.public_id, "identity"), identity)
    assert response.status_code == 302, response.content.decode()

    party.refresh_from_db()
    assert party.legal_name == OLD_NAME
    seen = outside_views(client, licensed, registrar)
    # The public register names the trade name (Art. 5: never a natural person's name).
    assert "Fjelltobakk" in seen["register"] and "Fjell Holding" not in seen["register"]
    assert seen["verification"] == "Fjelltobakk"
    assert OLD_NAME in seen["pdf"] and NEW_NAME not in seen["pdf"]
    assert OLD_NAME in seen["export"] and NEW_NAME not in seen["export"]

    # The officer sees old -> new on the application's page.
    to_review(application, officer)
    client.force_login(officer)
    page = client.get(reverse("admin:licensing_application_change", args=[application.pk]))
    html = page.content.decode()
    assert "Changes proposed" in html
    box = html[html.index("Changes proposed") :]
    assert box.index(OLD_NAME) < box.index(NEW_NAME)

    approve(application, officer)
    party.refresh_from_db()
    assert party.legal_name == NEW_NAME
    assert party.version == 2
    seen = outside_views(client, licensed, registrar)
    assert "Fjell Holding" in seen["register"]
    assert seen["verification"] == "Fjell Holding"
    assert NEW_NAME in seen["pdf"]
    assert NEW_NAME in seen["export"]

    yesterday = timezone.now() - dt.timedelta(days=1)
    known = party_as_of(party.pk, yesterday)
    assert known is not None and known.party.legal_name == OLD_NAME
    now = party_as_of(party.pk)
    assert now is not None and now.party.legal_name == NEW_NAME
    latest = RecordVersion.objects.get(record_type="licensing.party", record_id=party.pk, version=2)
    assert latest.application == application and latest.approved_by == officer


def test_a_replaced_director_an_ended_account_and_a_moved_site_wait_for_approval(
    client: Any, licensed: dict[str, Any], officer: Any
) -> None:
    """A change of information (Art. 6.3(g)): its sites start as the licence's."""
    party, person, account, site = (licensed[k] for k in ("party", "person", "account", "site"))
    licence = licensed["licence"]
    application = application_services.create_application(
        party=party,
        kind="change",
        activities=licence.activities,
        by=licensed["user"],
        licence=licence,
    )
    client.force_login(licensed["user"])
    # The director is replaced: the old one removed, a new one named.
    people = formset(
        "person",
        [
            {
                **director("Kari Fjell", person.identity_document_number),
                "id": person.pk,
                "DELETE": "on",
            },
            director("Ola Berg", "P7654321"),
        ],
        initial=1,
    )
    assert client.post(step(application.public_id, "people"), people).status_code == 302
    # The bank account is ended.
    bank = formset(
        "bank",
        [{**BANK, "iban": account.iban, "id": account.pk, "DELETE": "on"}],
        initial=1,
    )
    assert client.post(step(application.public_id, "bank"), bank).status_code == 302
    # The site moves.
    sites = formset(
        "site",
        [{**SITE, "id": site.pk, "name": site.name, "street_address": "Nye Strømsvei 1"}],
        initial=1,
    )
    response = client.post(step(application.public_id, "sites"), sites)
    assert response.status_code == 302, response.content.decode()

    # Nothing current changed.
    person.refresh_from_db()
    account.refresh_from_db()
    site.refresh_from_db()
    assert person.active_until is None
    assert account.ended_at is None
    assert site.street_address == "Strømsveien 200"
    assert list(Person.objects.filter(party=party)) == [person]
    assert list(licensed["licence"].sites.all()) == [site]

    to_review(application, officer)
    approve(application, officer)

    person.refresh_from_db()
    account.refresh_from_db()
    site.refresh_from_db()
    assert person.active_until == timezone.localdate() and person.version == 2
    assert account.ended_at is not None
    assert site.street_address == "Nye Strømsvei 1" and site.version == 2
    assert Person.objects.filter(party=party, full_name="Ola Berg").exists()
    # The licence names the site itself, not the proposal that moved it.
    assert list(licence.sites.all()) == [site]

    before = party_as_of(party.pk, timezone.now() - dt.timedelta(days=1))
    assert before is not None
    assert [p.full_name for p in before.persons] == ["Kari Fjell"]
    assert [s.street_address for s in before.sites] == ["Strømsveien 200"]
    assert [a.pk for a in before.bank_accounts] == [account.pk]
    after = party_as_of(party.pk)
    assert after is not None
    assert sorted(p.full_name for p in after.persons) == ["Ola Berg"]
    assert after.bank_accounts == []
    assert [s.street_address for s in after.sites] == ["Nye Strømsvei 1"]


def test_a_refused_application_changes_nothing(
    client: Any, licensed: dict[str, Any], officer: Any, senior: Any
) -> None:
    party, account = licensed["party"], licensed["account"]
    application = start_draft(client, licensed)
    rename(client, application, party)
    bank = formset("bank", [{**BANK, "iban": account.iban, "id": account.pk, "DELETE": "on"}], 1)
    assert client.post(step(application.public_id, "bank"), bank).status_code == 302
    versions = RecordVersion.objects.count()

    to_review(application, officer)
    application_services.propose_decision(
        application_id=application.pk,
        by=officer,
        action="refuse",
        ground="other",
        reason="Incomplete.",
    )
    application_services.confirm_refusal(application_id=application.pk, by=senior)

    party.refresh_from_db()
    account.refresh_from_db()
    assert party.legal_name == OLD_NAME and party.version == 1
    assert account.ended_at is None
    assert BankAccount.objects.filter(party=party).count() == 1
    assert RecordVersion.objects.count() == versions


def test_a_licensed_party_cannot_be_changed_outside_a_draft(
    client: Any, licensed: dict[str, Any]
) -> None:
    """Before its activities are chosen a licensed party's new filing has no draft: the other
    steps wait for it, and nothing is written."""
    party = licensed["party"]
    client.force_login(licensed["user"])
    url = step(party.public_id, "identity")
    assert client.get(url).url == step(party.public_id, "activities")
    identity = {**LEGAL_IDENTITY, "legal_name": NEW_NAME}
    assert client.post(url, identity).status_code == 302
    party.refresh_from_db()
    assert party.legal_name == OLD_NAME


def test_the_second_of_two_conflicting_approvals_asks_for_a_new_review(
    client: Any, licensed: dict[str, Any], officer: Any
) -> None:
    party = licensed["party"]
    first = start_draft(client, licensed)
    identity = rename(client, first, party)
    # A change application of the same party proposes another name.
    second = application_services.create_application(
        party=party,
        kind="change",
        activities=["wholesale"],
        by=licensed["user"],
        licence=licensed["licence"],
    )
    other = {**identity, "legal_name": "Fjelltobakk Nord AS"}
    assert client.post(step(second.public_id, "identity"), other).status_code == 302
    for application in (first, second):
        to_review(application, officer)
    approve(first, officer)

    with pytest.raises(StaleRecords):
        approve(second, officer)
    party.refresh_from_db()
    assert party.legal_name == NEW_NAME  # no silent overwrite
    assert Application.objects.get(pk=second.pk).state == ApplicationState.IN_REVIEW

    # The officer compares the proposal with the records as they now stand, then approves.
    client.force_login(officer)
    url = reverse("admin:licensing_application_action", args=[second.pk, "review_changes_again"])
    assert client.post(url, {"confirm": "on"}).status_code == 302
    approve(second, officer)
    party.refresh_from_db()
    assert party.legal_name == "Fjelltobakk Nord AS" and party.version == 3


def test_an_applicant_cannot_write_a_proposal_into_another_partys_draft(
    client: Any, licensed: dict[str, Any], applicant_for: Any
) -> None:
    application = start_draft(client, licensed)
    stranger = applicant_for(PartyFactory(approved=True))
    client.force_login(stranger)
    for slug in ("identity", "bank", "sites", "people"):
        assert client.post(step(application.public_id, slug), {}).status_code == 404
    assert not Site.with_proposals.filter(proposed_in=application).exists()


def test_a_first_filing_is_proposed_until_its_first_approval(officer: Any) -> None:
    """A party first filed through the portal is itself proposed: no register shows it; its
    first approval makes it and its records version 1."""
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(in_review=True, paid=True)
    party = application.party
    application.sites.add(SiteFactory(party=party))
    assert party.approved_at is None
    assert party_as_of(party.pk) is None
    approve(application, officer)
    party.refresh_from_db()
    assert party.approved_at is not None
    known = party_as_of(party.pk)
    assert known is not None and known.party.legal_name == party.legal_name
    assert len(known.sites) == 1


def test_the_holder_sees_what_is_pending_and_what_is_approved(
    client: Any, licensed: dict[str, Any], officer: Any
) -> None:
    party = licensed["party"]
    application = start_draft(client, licensed)
    rename(client, application, party)
    url = reverse("portal:application_detail", kwargs={"public_id": application.public_id})

    page = client.get(url).content.decode()
    assert "Changes to your records" in page
    assert "Pending: your records change only when the authority approves" in page
    assert page.index(OLD_NAME, page.index("Changes to your records")) < page.index(NEW_NAME)

    to_review(application, officer)
    approve(application, officer)
    client.force_login(licensed["user"])
    page = client.get(url).content.decode()
    assert "Approved: your records show these changes since" in page


def test_an_approval_that_fails_half_way_changes_nothing(
    client: Any, licensed: dict[str, Any], officer: Any, monkeypatch: Any
) -> None:
    """The proposal is applied, then issuing the licence fails: the whole approval rolls back,
    the party keeps its name and no version is written."""
    from licensing.services import licences as licence_services

    party = licensed["party"]
    application = start_draft(client, licensed)
    rename(client, application, party)
    to_review(application, officer)
    versions = RecordVersion.objects.count()

    def fails(**kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(licence_services, "issue_licence", fails)
    with pytest.raises(RuntimeError):
        approve(application, officer)
    party.refresh_from_db()
    application.refresh_from_db()
    assert party.legal_name == OLD_NAME and party.version == 1
    assert application.state == ApplicationState.IN_REVIEW
    assert application.changes_applied_at is None
    assert RecordVersion.objects.count() == versions


def test_a_licensed_party_has_no_filing_without_a_draft(
    client: Any, licensed: dict[str, Any]
) -> None:
    client.force_login(licensed["user"])
    page = client.get(reverse("portal:draft_list")).content.decode()
    assert str(licensed["party"].public_id) not in page


def test_a_site_edited_then_removed_from_the_draft_is_neither_moved_nor_kept(
    client: Any, licensed: dict[str, Any], officer: Any
) -> None:
    """The draft's last word counts: an edit of a site later removed from the draft is not
    applied, and the licence no longer names the site (Art. 6.3(g))."""
    party, site, licence = licensed["party"], licensed["site"], licensed["licence"]
    application = application_services.create_application(
        party=party,
        kind="change",
        activities=licence.activities,
        by=licensed["user"],
        licence=licence,
    )
    application.sites.add(site)
    client.force_login(licensed["user"])
    moved = {**SITE, "id": site.pk, "name": site.name, "street_address": "Nye Strømsvei 1"}
    url = step(application.public_id, "sites")
    assert client.post(url, formset("site", [moved], initial=1)).status_code == 302
    proposal = Site.with_proposals.get(replaces=site)
    new = {**SITE, "name": "Lager Berg", "street_address": "Bergveien 2"}
    removed = formset("site", [{**moved, "id": proposal.pk, "DELETE": "on"}, new], initial=1)
    response = client.post(url, removed)
    assert response.status_code == 302, response.content.decode()

    to_review(application, officer)
    approve(application, officer)
    site.refresh_from_db()
    assert site.street_address == "Strømsveien 200" and site.version == 1
    assert [s.name for s in licence.sites.all()] == ["Lager Berg"]


def test_a_reprint_of_an_ended_term_names_the_holder_as_approved_then(
    client: Any, licensed: dict[str, Any], officer: Any
) -> None:
    """Art. 9: a licence whose term ended before the holder was renamed prints the old name;
    the current licence prints the new one."""
    party = licensed["party"]
    old = LicenceFactory(
        holder=party,
        valid_from=timezone.localdate() - dt.timedelta(days=400),
        expires_on=timezone.localdate() - dt.timedelta(days=30),
    )
    application = start_draft(client, licensed)
    rename(client, application, party)
    to_review(application, officer)
    approve(application, officer)

    assert OLD_NAME in pdf_text(licence_pdf(licence_id=old.pk))
    assert NEW_NAME not in pdf_text(licence_pdf(licence_id=old.pk))
    assert NEW_NAME in pdf_text(licence_pdf(licence_id=licensed["licence"].pk))
