"""What officers see of proposals and versions, and who may do what with them: the Changes
proposed box, the party's History (personal data masked, Art. 5), reviewing a stale proposal
again (licence officers only), and due diligence screening what is under review (Art. 6.3(d))."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from duediligence.models import KeyKind, ScreeningKey
from duediligence.normalise import person_key
from duediligence.services.indexing import index_party
from licensing.exceptions import PermissionDenied, TransitionNotAllowed
from licensing.models import ApplicationState, AuditEvent, Person, Verb
from licensing.services import applications as application_services
from licensing.services.approve_proposals import rebase_proposal
from tests.factories import ApplicationFactory, LicenceFactory, PartyFactory, PersonFactory

pytestmark = pytest.mark.django_db


def proposing_a_director(**traits: Any) -> tuple[Any, Any, Any]:
    """A licensed party whose application proposes a changed director (new passport)."""
    party = PartyFactory(approved=True)
    LicenceFactory(holder=party)
    director = PersonFactory(party=party, full_name="Ingrid Dahl", identity_document_number="P111")
    application = ApplicationFactory(party=party, **traits)
    proposal = Person.with_proposals.get(pk=director.pk)
    proposal.pk = None
    proposal._state.adding = True
    proposal.identity_document_number = "P222"
    proposal.full_name = "Ingrid Dahl Berg"
    proposal.proposed_in = application
    proposal.replaces = director
    proposal.base_version = director.version
    proposal.save()
    return application, director, proposal


def page(client: Any, user: Any, application: Any) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:licensing_application_change", args=[application.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


def box(client: Any, user: Any, application: Any) -> str:
    html = page(client, user, application)
    return html[html.index('class="module changes-proposed"') :]


def test_the_officer_sees_each_field_old_and_new(client: Any, officer: Any) -> None:
    application, _director, _proposal = proposing_a_director(in_review=True)
    html = box(client, officer, application)
    assert html.index("Ingrid Dahl") < html.index("Ingrid Dahl Berg")
    assert "P111" in html and "P222" in html


def test_personal_data_is_masked_for_a_role_that_may_not_see_it(
    client: Any, registrar: Any
) -> None:
    """Art. 5: the registrar reads applications but not persons."""
    application, _director, _proposal = proposing_a_director(in_review=True)
    html = box(client, registrar, application)
    assert "Ingrid Dahl Berg" in html  # a name is not among a person's personal-data fields
    assert "P111" not in html and "P222" not in html
    assert "(personal data)" in html


def test_the_party_history_masks_personal_data_too(
    client: Any, officer: Any, inspector: Any
) -> None:
    application, director, _proposal = proposing_a_director(in_review=True, paid=True)
    application.sites.add(*director.party.sites.all())
    application_services.approve_application(application_id=application.pk, by=officer)
    url = reverse("admin:licensing_party_change", args=[director.party_id])
    client.force_login(officer)
    # Art. 5: numbers masked for the officer too; Show on the person reveals the current one.
    officers_page = client.get(url).content.decode()
    assert "Ingrid Dahl Berg" in officers_page and "P222" not in officers_page
    assert "P111" not in officers_page
    client.force_login(inspector)
    page = client.get(url).content.decode()
    assert "Ingrid Dahl Berg" in page and "P222" not in page


def test_only_a_licence_officer_reviews_a_stale_proposal_again(
    client: Any, officer: Any, registrar: Any
) -> None:
    application, director, proposal = proposing_a_director(in_review=True)
    # Not stale: nothing to review again, and no button.
    with pytest.raises(TransitionNotAllowed):
        rebase_proposal(application=application, by=officer)
    assert 'data-action="review_changes_again"' not in page(client, officer, application)
    # An officer corrects the director meanwhile: the proposal is stale.
    Person.objects.filter(pk=director.pk).update(version=2)
    html = page(client, officer, application)
    assert "changed since proposed: review again" in html
    assert 'data-action="review_changes_again"' in html
    # Approve is drawn disabled, with the reason the service would give.
    assert "changed since this application proposed its changes" in html
    url = reverse(
        "admin:licensing_application_action", args=[application.pk, "review_changes_again"]
    )
    client.force_login(registrar)
    assert client.post(url, {"confirm": "on"}).status_code in (302, 403)
    with pytest.raises(PermissionDenied):
        rebase_proposal(application=application, by=registrar)
    proposal.refresh_from_db()
    assert proposal.base_version == 1
    client.force_login(officer)
    assert client.post(url, {"confirm": "on"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.base_version == 2
    assert AuditEvent.objects.for_object(application).filter(verb=Verb.PROPOSAL_REVIEWED).exists()


@pytest.mark.parametrize(
    ("state", "screened"),
    [(ApplicationState.DRAFT, False), (ApplicationState.SUBMITTED, True)],
)
def test_screening_sees_the_proposals_of_an_application_under_review(
    state: str, screened: bool
) -> None:
    """Art. 6.3(d): the checks see what is proposed for decision, not a draft in progress."""
    traits = {"submitted": True} if state == ApplicationState.SUBMITTED else {}
    _application, director, proposal = proposing_a_director(**traits)
    index_party(director.party_id)
    keys = ScreeningKey.objects.filter(kind=KeyKind.PERSON, party_id=director.party_id)
    proposed = person_key(proposal.full_name, proposal.date_of_birth)
    assert keys.filter(value=proposed).exists() is screened
    approved = person_key(director.full_name, director.date_of_birth)
    assert keys.filter(value=approved).exists()


def test_the_checks_read_what_the_application_proposes() -> None:
    """Art. 6.3(d): a tax number the application proposes is checked, not only the approved."""
    from duediligence.checks import numbers
    from licensing.models import TaxRegistration

    application, director, _proposal = proposing_a_director(submitted=True)
    TaxRegistration.with_proposals.create(
        party=director.party, country="NO", number="123", proposed_in=application
    )
    finding = numbers(application)
    assert {"country": "NO", "number": "123"}.items() <= next(
        row for row in finding.evidence["numbers"] if row["what"] == "tax"
    ).items()
    assert finding.outcome == "flag"
    assert not TaxRegistration.objects.filter(number="123").exists()  # still only proposed


def test_an_officers_correction_in_the_admin_is_a_new_version(client: Any, officer: Any) -> None:
    """The authority's own decision: kept as a version with the officer's name."""
    from licensing.models import RecordVersion
    from tests.licensing.test_admin_pages import _party_form

    party = PartyFactory(approved=True, trade_name="Nordlys")
    client.force_login(officer)
    url = reverse("admin:licensing_party_change", args=[party.pk])
    assert client.post(url, _party_form(party, trade_name="Nordlys Tobakk")).status_code == 302
    party.refresh_from_db()
    assert party.trade_name == "Nordlys Tobakk" and party.version == 2
    version = RecordVersion.objects.get(record_type="licensing.party", record_id=party.pk)
    assert (version.version, version.source, version.approved_by) == (2, "officer", officer)
    assert version.data["trade_name"] == "Nordlys Tobakk"


def test_a_record_edited_twice_in_one_draft_has_one_proposal() -> None:
    from licensing.services.proposals import propose_row

    application, director, proposal = proposing_a_director()
    again = Person.objects.get(pk=director.pk)  # the approved row, as a tampered page sends it
    again.full_name = "Ingrid Dahl Lie"
    saved = propose_row(again, party=director.party, application=application, clean=lambda r: None)
    assert saved is not None and saved.pk == proposal.pk
    assert Person.with_proposals.filter(replaces=director).count() == 1
    assert Person.with_proposals.get(pk=proposal.pk).full_name == "Ingrid Dahl Lie"


def test_the_party_page_saves_with_a_declaration_of_a_proposed_person(
    client: Any, officer: Any
) -> None:
    """A criminal-record declaration made in a draft names the person the draft proposes; the
    officer's edit of the party page still saves (Art. 6.3(b)(vi))."""
    from licensing.models import CriminalRecordDeclaration
    from tests.licensing.test_admin_pages import _party_form

    _application, director, proposal = proposing_a_director()
    party = director.party
    declaration = CriminalRecordDeclaration.objects.create(
        party=party, person=proposal, declared_on=timezone.localdate()
    )
    client.force_login(officer)
    data = _party_form(party, trade_name="Nordlys Tobakk") | {
        "criminal_record_declarations-TOTAL_FORMS": "1",
        "criminal_record_declarations-INITIAL_FORMS": "1",
        "criminal_record_declarations-0-id": str(declaration.pk),
        "criminal_record_declarations-0-party": str(party.pk),
        "criminal_record_declarations-0-person": str(proposal.pk),
        "criminal_record_declarations-0-declared_on": timezone.localdate().isoformat(),
    }
    url = reverse("admin:licensing_party_change", args=[party.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    party.refresh_from_db()
    assert party.trade_name == "Nordlys Tobakk"


def test_a_record_changed_after_the_staleness_check_is_still_not_overwritten(
    officer: Any, monkeypatch: Any
) -> None:
    """An officer's correction takes no party lock: if it lands between the approval's check and
    its write, the row lock and a second look at the version still refuse the approval."""
    from licensing.services import approve_proposals
    from licensing.services.approve_proposals import StaleRecords

    application, director, _proposal = proposing_a_director(in_review=True, paid=True)
    application.sites.add(*director.party.sites.all())
    Person.objects.filter(pk=director.pk).update(version=2, full_name="Ingrid Dahl (corrected)")
    monkeypatch.setattr(approve_proposals, "stale_items", lambda application: [])
    with pytest.raises(StaleRecords):
        application_services.approve_application(application_id=application.pk, by=officer)
    director.refresh_from_db()
    assert director.full_name == "Ingrid Dahl (corrected)"
