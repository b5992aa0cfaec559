"""The officers' lists and record pages: queues, search, query counts, edits in the audit
trail, nothing deletable, documents only to those allowed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from licensing.admin.parties import PartyAdmin
from licensing.models import AuditEvent, DeclaredMachine, FeeSchedule, Party, Verb
from licensing.services import applications as app_services
from tests.factories import (
    ApplicationFactory,
    DocumentFactory,
    InformationRequestFactory,
    LicenceFactory,
    PartyFactory,
    SiteFactory,
    TaxRegistrationFactory,
)

pytestmark = pytest.mark.django_db

APPLICATIONS = reverse("admin:licensing_application_changelist")
LICENCES = reverse("admin:licensing_licence_changelist")


def listed(response) -> list:
    return list(response.context["cl"].result_list)


def queries_for(client, url: str) -> int:
    """The queries of the page once warm: with Redis, the session, user and permissions come
    from the cache after the first request (licensing/auth_cache.py)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_application_queue_makes_no_query_per_row(client, officer):
    """No N+1: the number of queries for a page of 50 does not depend on the rows."""
    client.force_login(officer)
    ApplicationFactory.create_batch(2, submitted=True, paid=True, assigned_officer=officer)
    few = queries_for(client, APPLICATIONS)
    ApplicationFactory.create_batch(48, submitted=True, paid=True, assigned_officer=officer)
    assert queries_for(client, APPLICATIONS) == few
    response = client.get(APPLICATIONS)
    assert len(listed(response)) == 50


def test_licence_list_makes_no_query_per_row(client, officer):
    client.force_login(officer)
    LicenceFactory.create_batch(2)
    few = queries_for(client, LICENCES)
    LicenceFactory.create_batch(48)
    assert queries_for(client, LICENCES) == few
    assert len(listed(client.get(LICENCES))) == 50


def test_the_application_queue_page_costs_a_fixed_number_of_queries(
    client, officer, django_assert_num_queries, settings
):
    """Fixed at the count measured with 50 rows: session, user, the second factor that
    verified the session (twofactor), the user's permissions (two), the count and the page. A
    change here is a change to look at. Without the auth cache (as without Redis; with it, the
    first five come from the cache: tests/licensing/test_page_queries.py)."""
    settings.AUTH_CACHE_SECONDS = 0
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    ApplicationFactory.create_batch(50, submitted=True, paid=True)
    client.force_login(officer)
    client.get(APPLICATIONS)  # warm the content-type cache
    # PostgreSQL asks the planner's estimate first for an unfiltered list (one more query).
    expected = 8 if connection.vendor == "postgresql" else 7
    with django_assert_num_queries(expected):
        client.get(APPLICATIONS)


def test_queues_by_state_officer_and_overdue(client, officer, officer2):
    mine = ApplicationFactory(in_review=True, assigned_officer=officer)
    theirs = ApplicationFactory(in_review=True, assigned_officer=officer2)
    waiting = ApplicationFactory(submitted=True)
    decided = ApplicationFactory(approved=True)
    late = ApplicationFactory(information_requested=True, open_request=False)
    InformationRequestFactory(application=late, due_on=timezone.localdate() - dt.timedelta(days=1))
    old = ApplicationFactory(submitted=True, submitted_at=timezone.now() - dt.timedelta(days=400))
    client.force_login(officer)

    def refs(query: str) -> set[str]:
        return {a.reference for a in listed(client.get(APPLICATIONS + query))}

    assert refs("?officer=mine") == {mine.reference}
    assert refs("?officer=others") == {theirs.reference}
    assert waiting.reference in refs("?officer=none")
    assert decided.reference not in refs("?queue=open")
    assert refs("?queue=decided") == {decided.reference}
    assert refs("?overdue=yes") == {late.reference, old.reference}
    assert refs("?state=submitted") == {waiting.reference, old.reference}


def test_search_finds_by_reference_name_registration_and_tax_number(client, officer):
    party = PartyFactory(legal_name="Balaton Dohány Kft.", registration_number="01-09-123456")
    TaxRegistrationFactory(party=party, country="HU", number="12345676-2-41")
    application = ApplicationFactory(party=party, submitted=True)
    ApplicationFactory.create_batch(3, submitted=True)
    client.force_login(officer)
    for term in (application.reference.lower(), "balaton", "01-09-123456", "12345676-2-41"):
        found = listed(client.get(APPLICATIONS, {"q": term}))
        assert [a.pk for a in found] == [application.pk], term


def test_an_application_is_found_by_the_number_of_its_licence(client, officer):
    renewal = ApplicationFactory(renewal=True, submitted=True)
    ApplicationFactory.create_batch(2, submitted=True)
    client.force_login(officer)
    found = listed(client.get(APPLICATIONS, {"q": renewal.licence.number}))
    assert found == [renewal]


def test_licence_search_by_number_and_expiry_queue(client, officer):
    soon = LicenceFactory(valid_from=timezone.localdate() - dt.timedelta(days=720))
    later = LicenceFactory()
    client.force_login(officer)
    assert listed(client.get(LICENCES, {"q": soon.number.lower()})) == [soon]
    assert listed(client.get(LICENCES, {"expires": "30"})) == [soon]
    assert later not in listed(client.get(LICENCES, {"expires": "90"}))


def test_applicants_never_reach_the_admin(client, applicant_for):
    """Applicants act for their Party in the portal only; the admin sends them to log in."""
    mine, other = PartyFactory(), PartyFactory()
    user = applicant_for(mine)
    application = ApplicationFactory(party=other, submitted=True)
    client.force_login(user)
    for url in (
        APPLICATIONS,
        reverse("admin:licensing_application_change", args=[application.pk]),
        reverse("admin:licensing_party_change", args=[other.pk]),
        reverse("admin:licensing_party_change", args=[mine.pk]),
        reverse("admin:licensing_application_action", args=[application.pk, "withdraw"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_the_auditor_reads_everything_and_changes_nothing(client, auditor):
    licence = LicenceFactory()
    party = licence.holder
    client.force_login(auditor)
    assert (
        client.get(reverse("admin:licensing_licence_change", args=[licence.pk])).status_code == 200
    )
    assert client.get(reverse("admin:licensing_auditevent_changelist")).status_code == 200
    url = reverse("admin:licensing_party_change", args=[party.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(url, {"legal_name": "Changed"})
    assert response.status_code == 403
    party.refresh_from_db()
    assert party.legal_name != "Changed"


def test_nothing_can_be_deleted_from_the_admin(client, senior):
    # Art. 9.5(a): records are kept at least four years; this system keeps them for good.
    party = PartyFactory()
    client.force_login(senior)
    response = client.get(reverse("admin:licensing_party_delete", args=[party.pk]))
    assert response.status_code == 403
    page = client.get(reverse("admin:licensing_party_changelist"))
    assert "delete_selected" not in page.content.decode()
    assert Party.objects.filter(pk=party.pk).exists()


def test_a_forged_delete_action_is_refused(client, senior):
    # Art. 9.5(a): the site-wide delete action is not offered; posting it anyway is a 403.
    party = PartyFactory()
    client.force_login(senior)
    response = client.post(
        reverse("admin:licensing_party_changelist"),
        {"action": "delete_selected", "_selected_action": [party.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Party.objects.filter(pk=party.pk).exists()


def _party_form(party: Party, **changes) -> dict:
    """The change form as the page would post it back, with ``changes`` applied."""
    data = {}
    for _, options in PartyAdmin.fieldsets:
        for name in options["fields"]:
            value = getattr(party, name)
            data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value or "")
    for prefix in (
        "tax_registrations",
        "affiliations",
        "persons",
        "criminal_record_declarations",
        "bank_accounts",
        "sites",
        "products",
        "documents",
    ):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    return data | changes


def test_an_officers_edit_is_written_to_the_audit_trail(client, officer):
    party = PartyFactory()
    client.force_login(officer)
    url = reverse("admin:licensing_party_change", args=[party.pk])
    data = _party_form(party, principal_place_of_business="Strandgata 5\n9008 Tromsø")
    data |= {
        "tax_registrations-TOTAL_FORMS": "1",
        "tax_registrations-0-country": "SE",
        "tax_registrations-0-number": "SE556677889901",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    party.refresh_from_db()
    assert party.principal_place_of_business == "Strandgata 5\n9008 Tromsø"
    trail = list(AuditEvent.objects.for_object(party))
    assert [e.verb for e in trail] == [Verb.EDITED, Verb.EDITED]
    assert trail[0].actor == officer
    assert trail[0].changes["principal_place_of_business"]["to"] == "Strandgata 5\n9008 Tromsø"
    assert trail[1].changes["fields"]["number"]["to"] == "SE556677889901"
    # An unchanged save writes nothing.
    client.post(
        url,
        _party_form(party)
        | {
            "tax_registrations-TOTAL_FORMS": "1",
            "tax_registrations-INITIAL_FORMS": "1",
            "tax_registrations-0-id": str(party.tax_registrations.get().pk),
            "tax_registrations-0-party": str(party.pk),
            "tax_registrations-0-country": "SE",
            "tax_registrations-0-number": "SE556677889901",
        },
    )
    assert AuditEvent.objects.for_object(party).count() == 2


def test_the_trail_records_that_personal_data_changed_but_not_its_value(client, officer):
    # Art. 5: registrars and auditors read the trail; identity numbers stay in the record.
    party = PartyFactory(natural=True)
    client.force_login(officer)
    data = _party_form(party, identity_document_number="P99887766", phone="+47 99 99 99 99")
    for name in (
        "registration_number",
        "place_of_incorporation",
        "headquarters_address",
        "principal_place_of_business",
    ):
        data[name] = getattr(party, name)
    data["date_of_incorporation"] = ""
    for name in ("date_of_birth", "identity_document_expires_on"):
        data[name] = getattr(party, name).isoformat()
    for name in ("nationality", "identity_document_type", "identity_document_country"):
        data[name] = str(getattr(party, name))
    response = client.post(reverse("admin:licensing_party_change", args=[party.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    party.refresh_from_db()
    assert party.identity_document_number == "P99887766"
    changes = AuditEvent.objects.for_object(party).get().changes
    assert changes["identity_document_number"] == "(personal data: changed, value not recorded)"
    assert changes["phone"]["to"] == "+47 99 99 99 99"
    assert "P99887766" not in str(changes)


def test_an_invalid_edit_is_shown_again_and_nothing_is_saved(client, officer):
    party = PartyFactory()
    client.force_login(officer)
    url = reverse("admin:licensing_party_change", args=[party.pk])
    response = client.post(url, _party_form(party, registration_number="", email="not-an-email"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"registration_number", "email"}
    assert AuditEvent.objects.for_object(party).count() == 0


def test_a_new_fee_is_added_by_a_senior_officer_with_its_audit_event(client, senior, officer):
    # Art. 6.3(c): the fee schedule.
    data = {
        "activity": "retail",
        "application_kind": "new",
        "amount": "250.00",
        "currency": "EUR",
        "valid_from": "2027-01-01",
    }
    client.force_login(officer)
    assert client.post(reverse("admin:licensing_feeschedule_add"), data).status_code == 403
    client.force_login(senior)
    response = client.post(reverse("admin:licensing_feeschedule_add"), data)
    assert response.status_code == 302
    fee = FeeSchedule.objects.get(activity="retail", valid_from=dt.date(2027, 1, 1))
    event = AuditEvent.objects.for_object(fee).get()
    assert (event.verb, event.actor) == (Verb.CREATED, senior)


def test_documents_are_served_only_to_roles_that_may_read_them(client, officer, inspector):
    # Art. 5: uploads are personal data.
    document = DocumentFactory()
    url = reverse("admin:licensing_document_download", args=[document.pk])
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(inspector)
    assert client.get(url).status_code == 403


def test_personal_data_inlines_are_hidden_from_inspectors(client, officer, inspector):
    party = PartyFactory()
    url = reverse("admin:licensing_party_change", args=[party.pk])
    client.force_login(officer)
    assert "persons-TOTAL_FORMS" in client.get(url).content.decode()
    client.force_login(inspector)
    page = client.get(url).content.decode()
    assert "persons-TOTAL_FORMS" not in page
    assert "bank_accounts-TOTAL_FORMS" not in page


def test_the_audit_trail_is_shown_on_the_record_page(client, officer):
    application = ApplicationFactory(submitted=True)
    app_services.start_review(application_id=application.pk, by=officer)
    client.force_login(officer)
    page = client.get(reverse("admin:licensing_application_change", args=[application.pk]))
    assert 'data-verb="review_started"' in page.content.decode()


def test_the_audit_trail_admin_is_read_only_for_everyone(client, senior):
    application = ApplicationFactory(submitted=True)
    app_services.start_review(application_id=application.pk, by=senior)
    event = AuditEvent.objects.get()
    client.force_login(senior)
    url = reverse("admin:licensing_auditevent_change", args=[event.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "rewritten"}).status_code == 403
    assert client.get(reverse("admin:licensing_auditevent_add")).status_code == 403
    event.refresh_from_db()
    assert event.reason == ""


def test_declared_machines_are_on_the_application_page(client, officer):
    # Art. 6.3(b)(iv)-(v): make, model, serial number and where the machine will be used.
    application = ApplicationFactory(submitted=True)
    site = SiteFactory(party=application.party)
    DeclaredMachine.objects.create(
        application=application, make="Hauni", model="Protos 90", serial_number="HX-2291", site=site
    )
    client.force_login(officer)
    page = client.get(reverse("admin:licensing_application_change", args=[application.pk]))
    assert "HX-2291" in page.content.decode()
