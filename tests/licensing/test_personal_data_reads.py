"""Reads of personal data leave a trace (Art. 5; issue 15): identity documents, bank account
numbers and criminal-record details are masked on the party's page; Show reveals them and writes
one VIEWED event naming the subject; roles outside the case state a purpose first; downloads of
uploaded documents are recorded too; the auditor lists the reads of one party or person."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licensing.models import AuditEvent, BankAccount, Verb
from licensing.services import personal_data
from tests.factories import (
    ApplicationFactory,
    BankAccountFactory,
    CriminalRecordDeclarationFactory,
    DocumentFactory,
    PartyFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

CONVICTIONS = "2019: customs offence, fined NOK 40 000."


def reads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=Verb.VIEWED).order_by("pk"))


def reveal_url(record: Any, kind: str) -> str:
    party_id = record.pk if kind == "party" else record.party_id
    return reverse("admin:licensing_party_reveal", args=[party_id, kind, record.pk])


def party_page(client: Any, user: Any, party: Any) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:licensing_party_change", args=[party.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


@pytest.fixture
def subject() -> dict[str, Any]:
    """A natural-person party with a director, a bank account and the director's declared
    conviction, with its supporting document."""
    party = PartyFactory(natural=True, identity_document_number="NO77441188")
    person = PersonFactory(party=party, identity_document_number="D55667788")
    account = BankAccountFactory(party=party)
    document = DocumentFactory(party=party, kind="criminal_record", original_name="record.pdf")
    declaration = CriminalRecordDeclarationFactory(
        party=party,
        person=person,
        has_convictions=True,
        details=CONVICTIONS,
        review_note="Checked with the police register.",
        document=document,
    )
    return {
        "party": party,
        "person": person,
        "account": account,
        "declaration": declaration,
        "document": document,
    }


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_the_party_page_shows_personal_data_masked(
    client: Any, request: Any, subject: dict[str, Any], role: str
) -> None:
    """Editable for the officer (empty input, the mask as placeholder), read only for the
    auditor: neither page carries a full number or the details, and viewing it is no read."""
    html = party_page(client, request.getfixturevalue(role), subject["party"])
    iban = subject["account"].iban
    for secret in ("NO77441188", "D55667788", iban, CONVICTIONS, "police register"):
        assert secret not in html
    assert "•••• 1188" in html and "•••• 7788" in html and f"•••• {iban[-4:]}" in html
    for kind in ("party", "person", "bank", "declaration"):
        record = {"party": subject["party"], "person": subject["person"]}.get(kind) or {
            "bank": subject["account"],
            "declaration": subject["declaration"],
        }[kind]
        assert reveal_url(record, kind) in html
    assert reads() == []


def test_a_bank_account_is_named_by_its_last_four_characters() -> None:
    account = BankAccountFactory()
    assert str(account) == f"Commerzbank •••• {account.iban[-4:]}"
    assert personal_data.mask("NO9386011117947") == "•••• 7947"
    assert personal_data.mask("1234") == "••••"


@pytest.mark.parametrize(
    ("kind", "key", "shown", "fields"),
    [
        ("party", "party", "NO77441188", ["identity_document_type", "identity_document_number"]),
        ("person", "person", "D55667788", ["identity_document_type", "identity_document_number"]),
        ("bank", "account", None, ["iban", "account_number"]),
        (
            "declaration",
            "declaration",
            CONVICTIONS,
            ["has_convictions", "details", "review_note", "document"],
        ),
    ],
)
def test_each_reveal_writes_one_event_naming_the_subject(
    client: Any,
    officer: Any,
    subject: dict[str, Any],
    kind: str,
    key: str,
    shown: str | None,
    fields: list[str],
) -> None:
    """An officer working the case states no purpose: one click, one event (Art. 5)."""
    record = subject[key]
    client.force_login(officer)
    response = client.get(reveal_url(record, kind), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert (shown or subject["account"].iban) in response.content.decode()
    [event] = reads()
    assert (event.actor, event.object_id, event.reason) == (officer, str(record.pk), "")
    assert event.content_type.model_class() is type(record)
    assert event.ip == "10.1.2.3"
    assert event.changes["fields"] == fields
    assert event.changes["party_id"] == subject["party"].pk
    expected_person = subject["person"].pk if kind in ("person", "declaration") else None
    assert event.changes["person_id"] == expected_person
    assert subject["account"].iban not in event.object_repr


def test_the_declarations_document_is_offered_for_download_from_its_reveal(
    client: Any, officer: Any, subject: dict[str, Any]
) -> None:
    client.force_login(officer)
    html = client.get(reveal_url(subject["declaration"], "declaration")).content.decode()
    download = reverse("admin:licensing_document_download", args=[subject["document"].pk])
    assert download in html
    assert len(reads()) == 1  # the link itself is no read


def test_a_download_by_an_officer_is_recorded(
    client: Any, officer: Any, subject: dict[str, Any]
) -> None:
    document = subject["document"]
    client.force_login(officer)
    response = client.get(reverse("admin:licensing_document_download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    [event] = reads()
    assert (event.actor, event.object_id) == (officer, str(document.pk))
    assert event.changes["document_kind"] == "criminal_record"
    assert event.changes["party_id"] == subject["party"].pk
    assert event.changes["person_id"] == subject["person"].pk  # the declaration's person


def test_the_auditor_states_a_purpose_before_the_value_is_shown(
    client: Any, auditor: Any, subject: dict[str, Any]
) -> None:
    url = reveal_url(subject["person"], "person")
    client.force_login(auditor)
    asked = client.get(url)
    assert asked.status_code == 200
    assert "D55667788" not in asked.content.decode()
    assert 'name="purpose"' in asked.content.decode()
    refused = client.post(url, {"purpose": "   "})
    assert refused.status_code == 200
    assert "D55667788" not in refused.content.decode()
    assert refused.context["form"].errors["purpose"]
    assert reads() == []
    shown = client.post(url, {"purpose": "Audit 2026/14: sample of director checks"})
    assert shown.status_code == 200
    assert "D55667788" in shown.content.decode()
    [event] = reads()
    assert (event.actor, event.reason) == (auditor, "Audit 2026/14: sample of director checks")


def test_the_registrar_states_a_purpose_before_a_download(
    client: Any, registrar: Any, subject: dict[str, Any]
) -> None:
    url = reverse("admin:licensing_document_download", args=[subject["document"].pk])
    client.force_login(registrar)
    asked = client.get(url)
    assert asked.status_code == 200
    assert asked["Content-Type"].startswith("text/html")
    assert client.post(url, {"purpose": ""}).context["form"].errors["purpose"]
    assert reads() == []
    response = client.post(url, {"purpose": "Reprint request 88"})
    assert response["Content-Disposition"].startswith("attachment;")
    [event] = reads()
    assert (event.actor, event.reason) == (registrar, "Reprint request 88")


def test_the_inspector_states_a_purpose_for_the_party_page_it_may_see(
    client: Any, inspector: Any, subject: dict[str, Any]
) -> None:
    """The inspector sees the party's page (view_party): the natural person's own identity
    document is masked there, and revealed with a purpose."""
    html = party_page(client, inspector, subject["party"])
    assert "NO77441188" not in html and "•••• 1188" in html
    url = reveal_url(subject["party"], "party")
    assert client.get(url).status_code == 200 and reads() == []
    assert "NO77441188" in client.post(url, {"purpose": "Inspection 7"}).content.decode()
    assert [e.reason for e in reads()] == ["Inspection 7"]


@pytest.mark.parametrize(
    ("kind", "key"), [("person", "person"), ("bank", "account"), ("declaration", "declaration")]
)
def test_a_role_without_the_permission_reads_nothing(
    client: Any, inspector: Any, subject: dict[str, Any], kind: str, key: str
) -> None:
    """The inspector does not see persons, bank accounts or declarations (their inlines are
    hidden): the reveal refuses the same, with or without a purpose, and writes nothing."""
    client.force_login(inspector)
    url = reveal_url(subject[key], kind)
    assert client.get(url).status_code == 403
    assert client.post(url, {"purpose": "curious"}).status_code == 403
    download = reverse("admin:licensing_document_download", args=[subject["document"].pk])
    assert client.post(download, {"purpose": "curious"}).status_code == 403
    assert reads() == []


def test_a_record_of_another_party_is_not_found_through_this_party(
    client: Any, officer: Any, subject: dict[str, Any]
) -> None:
    other = PartyFactory()
    client.force_login(officer)
    url = reverse("admin:licensing_party_reveal", args=[other.pk, "person", subject["person"].pk])
    assert client.get(url).status_code == 404
    unknown = reverse("admin:licensing_party_reveal", args=[subject["party"].pk, "tax", 1])
    assert client.get(unknown).status_code == 404
    assert reads() == []


def test_an_applicant_never_reaches_a_reveal(
    client: Any, applicant_for: Any, subject: dict[str, Any]
) -> None:
    client.force_login(applicant_for(subject["party"]))
    response = client.get(reveal_url(subject["person"], "person"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert reads() == []


def test_an_officer_saves_the_page_without_retyping_masked_values(
    client: Any, officer: Any, subject: dict[str, Any]
) -> None:
    """Left empty, a masked field keeps its value and is not an edit; typed, it replaces it."""
    from tests.licensing.test_admin_pages import _party_form

    party, person = subject["party"], subject["person"]
    data = _party_form(party, identity_document_number="") | {
        "persons-TOTAL_FORMS": "1",
        "persons-INITIAL_FORMS": "1",
        "persons-0-id": str(person.pk),
        "persons-0-party": str(party.pk),
        "persons-0-role": person.role,
        "persons-0-full_name": person.full_name,
        "persons-0-date_of_birth": person.date_of_birth.isoformat(),
        "persons-0-nationality": str(person.nationality),
        "persons-0-identity_document_type": person.identity_document_type,
        "persons-0-identity_document_number": "",
        "persons-0-identity_document_country": str(person.identity_document_country),
        "persons-0-identity_document_expires_on": person.identity_document_expires_on.isoformat(),
        "persons-0-active_from": person.active_from.isoformat(),
    }
    url = reverse("admin:licensing_party_change", args=[party.pk])
    client.force_login(officer)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    party.refresh_from_db()
    person.refresh_from_db()
    assert (party.identity_document_number, person.identity_document_number) == (
        "NO77441188",
        "D55667788",
    )
    assert not AuditEvent.objects.filter(verb=Verb.EDITED).exists()
    response = client.post(url, data | {"persons-0-identity_document_number": "D99000111"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.identity_document_number == "D99000111"


def test_the_submitted_information_on_the_application_page_is_masked(
    client: Any, registrar: Any, subject: dict[str, Any]
) -> None:
    """The snapshot of what was filed shows numbers masked and details hidden to every role
    that reads applications (here the registrar, who may not see persons)."""
    from licensing.services.snapshots import take_snapshot

    application = ApplicationFactory(party=subject["party"], submitted=True)
    take_snapshot(application)
    client.force_login(registrar)
    url = reverse("admin:licensing_application_change", args=[application.pk])
    html = client.get(url).content.decode()
    for secret in ("NO77441188", "D55667788", subject["account"].iban, CONVICTIONS):
        assert secret not in html
    assert "•••• 7788" in html and "(hidden)" in html


def test_the_partys_own_user_downloads_its_document_without_a_staff_read(
    client: Any, applicant_for: Any, subject: dict[str, Any]
) -> None:
    """Decision: the data subject's side (the party's own portal users, reading what they
    filed) is not a read by the authority and is not listed for the auditor."""
    client.force_login(applicant_for(subject["party"]))
    url = reverse("portal:document_download", kwargs={"public_id": subject["document"].public_id})
    assert client.get(url).status_code == 200
    assert reads() == []


def test_the_auditor_lists_the_reads_of_one_subject(
    client: Any, officer: Any, auditor: Any, subject: dict[str, Any]
) -> None:
    other = PersonFactory(identity_document_number="D12121212")
    client.force_login(officer)
    client.get(reveal_url(subject["person"], "person"))
    client.get(reveal_url(subject["account"], "bank"))
    client.get(reveal_url(other, "person"))
    page = reverse("admin:licensing_party_reads")

    client.force_login(auditor)
    by_party = client.get(page, {"party": subject["party"].pk})
    assert by_party.status_code == 200
    listed = list(by_party.context["page"].object_list)
    assert [e.content_type.model for e in listed] == ["bankaccount", "person"]  # newest first
    assert all(e.actor_label == "officer" for e in listed)
    by_person = client.get(page, {"person": subject["person"].pk}).context["page"]
    assert [e.object_id for e in by_person.object_list] == [str(subject["person"].pk)]
    by_name = client.get(page, {"q": other.party.legal_name}).context["page"]
    assert [e.object_id for e in by_name.object_list] == [str(other.pk)]
    # Reached from the parties' list and from the party's page.
    parties = client.get(reverse("admin:licensing_party_changelist")).content.decode()
    assert f'href="{page}"' in parties
    assert f"{page}?party={subject['party'].pk}" in party_page(client, auditor, subject["party"])


@pytest.mark.parametrize("role", ["officer", "senior", "registrar", "inspector"])
def test_only_the_auditor_lists_reads(
    client: Any, request: Any, subject: dict[str, Any], role: str
) -> None:
    user = request.getfixturevalue(role)
    client.force_login(user)
    page = reverse("admin:licensing_party_reads")
    assert client.get(page, {"party": subject["party"].pk}).status_code == 403
    if role in ("officer", "senior"):
        assert page not in party_page(client, user, subject["party"])
        parties = client.get(reverse("admin:licensing_party_changelist")).content.decode()
        assert page not in parties


def test_the_reads_page_costs_the_same_for_a_few_or_many_reads(
    client: Any, officer: Any, auditor: Any, subject: dict[str, Any], django_assert_num_queries: Any
) -> None:
    party = subject["party"]
    page = reverse("admin:licensing_party_reads")
    for _ in range(2):
        personal_data.read_bank_account(account=subject["account"], by=officer)
    client.force_login(auditor)
    client.get(page, {"party": party.pk})  # warm the content-type and the sign-in caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(page, {"party": party.pk}).status_code == 200
    assert len(few) <= QUERIES
    for _ in range(40):
        personal_data.read_identity_document(record=subject["person"], by=officer)
    with django_assert_num_queries(len(few)):
        response = client.get(page, {"party": party.pk})
    assert len(response.context["page"].object_list) == 42
    assert BankAccount.objects.count() == 1


# Session, user, the second factor's device, the auditor's groups, the party, the count, its
# persons, the user's and the groups' permissions (the admin's menu) and the page of events; with
# Redis the session, user, device and permissions come from the cache (licensing/auth_cache.py).
QUERIES = 10
