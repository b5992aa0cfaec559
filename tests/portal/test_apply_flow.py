"""A filing from start to submission, drafts that outlive a session, and who may see a draft
(Art. 6.3(b); Art. 14.1(i) for the declaration)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from licensing.models import Application, ApplicationState, Party
from licensing.portal.apply_steps import STEPS
from tests.factories import (
    ApplicationFactory,
    LicenceFactory,
    PartyFactory,
    PersonFactory,
    SiteFactory,
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

pytestmark = pytest.mark.django_db


def check_url(public_id: Any) -> str:
    return reverse("portal:apply_check", kwargs={"public_id": public_id})


def file_legal_person_up_to_activities(client: Any) -> Party:
    client.post(reverse("portal:apply_start"), {"kind": "legal"})
    response = client.post(reverse("portal:apply_new", kwargs={"kind": "legal"}), LEGAL_IDENTITY)
    party = Party.objects.get(legal_name=LEGAL_IDENTITY["legal_name"])
    assert response["Location"] == step(party.public_id, "tax")
    response = client.post(
        step(party.public_id, "tax"),
        formset("tax", [{"country": "NO", "number": "NO988077917MVA"}]),
    )
    assert response["Location"] == step(party.public_id, "affiliates")
    client.post(step(party.public_id, "affiliates"), formset("aff", [{}]))
    two = formset("person", [director("Ola Nordmann", "D1"), director("Eva Hansen", "D2")])
    response = client.post(step(party.public_id, "people"), two)
    assert response["Location"] == step(party.public_id, "activities")
    return party


def test_a_legal_person_with_two_directors_files_and_submits(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = UserFactory(is_staff=False, role="applicant")
    client.force_login(user)
    party = file_legal_person_up_to_activities(client)
    response = client.post(
        step(party.public_id, "activities"), {"activities": ["import", "wholesale"]}
    )
    application = Application.objects.get(party=party)
    pid = application.public_id
    assert response["Location"] == step(pid, "sites")
    response = client.post(step(pid, "sites"), formset("site", [SITE]))
    # Not manufacturing: capacity, products and machines are skipped.
    assert response["Location"] == step(pid, "criminal")
    crd = {f"crd{i}-has_convictions": "no" for i in range(3)}
    response = client.post(step(pid, "criminal"), {**crd, "crd0-document": pdf("police.pdf")})
    assert response["Location"] == step(pid, "bank")
    response = client.post(step(pid, "bank"), formset("bank", [BANK]))
    assert response["Location"] == step(pid, "markets")
    response = client.post(step(pid, "markets"), formset("market", [MARKET]))
    assert response["Location"] == step(pid, "documents")
    client.post(step(pid, "documents"), {"kind": "articles", "file": pdf()})
    page = client.get(check_url(pid)).content.decode()
    assert "Ola Nordmann" in page and "Eva Hansen" in page
    assert f"{step(pid, 'bank')}?return=check" in page
    # Without the declaration (Art. 14.1(i)) the application is not submitted.
    response = client.post(check_url(pid), {})
    assert response.status_code == 400
    assert "Declare that the information is true and complete." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(check_url(pid), {"declared": "on"})
    assert response["Location"] == reverse("portal:apply_submitted", kwargs={"public_id": pid})
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.declaration_accepted_at is not None
    assert application.snapshot.data["party"]["legal_name"] == LEGAL_IDENTITY["legal_name"]
    assert len(application.snapshot.data["persons"]) == 2
    assert len(application.snapshot.data["bank_accounts"]) == 1
    assert application.invoice.amount > 0
    assert application.reference in client.get(response["Location"]).content.decode()
    assert any(application.reference in m.body for m in mail.outbox)  # the receipt
    # A submitted application is no longer a draft: its steps are gone.
    assert client.get(step(pid, "bank")).status_code == 404


def test_submit_is_refused_with_the_list_of_what_is_missing(client: Any) -> None:
    party = PartyFactory()
    application = ApplicationFactory(party=party)
    from tests.portal.test_apply import _acting

    client.force_login(_acting(party))
    response = client.post(check_url(application.public_id), {"declared": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    for slug, message in [
        ("tax", "Give at least one tax registration number."),
        ("people", "Name at least one director."),
        ("sites", "Add at least one site."),
        ("criminal", "Declare criminal records"),
        ("bank", "Add the bank account used in the transactions."),
        ("markets", "Declare the intended use and market."),
        ("documents", "Upload the articles of incorporation."),
    ]:
        assert message in html
        assert f"{step(application.public_id, slug)}?return=check" in html
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT
    assert application.declaration_accepted_at is None


def test_a_draft_survives_log_out_and_resumes_at_the_first_missing_step(client: Any) -> None:
    user = UserFactory(is_staff=False, role="applicant")
    client.force_login(user)
    party = file_legal_person_up_to_activities(client)
    client.post(reverse("portal:logout"))
    assert client.get(reverse("portal:draft_list")).status_code == 302  # signed out
    client.force_login(user)
    page = client.get(reverse("portal:draft_list")).content.decode()
    resume = reverse("portal:draft_resume", kwargs={"public_id": party.public_id})
    assert resume in page
    assert client.get(resume)["Location"] == step(party.public_id, "activities")
    client.post(step(party.public_id, "activities"), {"activities": ["import"]})
    application = Application.objects.get(party=party)
    client.post(step(application.public_id, "sites"), formset("site", [SITE]))
    client.logout()
    client.force_login(user)
    page = client.get(reverse("portal:draft_list")).content.decode()
    resume = reverse("portal:draft_resume", kwargs={"public_id": application.public_id})
    assert application.reference in page and resume in page
    assert client.get(resume)["Location"] == step(application.public_id, "criminal")


def test_another_user_cannot_open_or_post_to_any_step_of_a_draft(client: Any) -> None:
    party = PartyFactory()
    application = ApplicationFactory(party=party, activities=["manufacture_products"])
    application.sites.add(SiteFactory(party=party))
    stranger = UserFactory(is_staff=False, role="applicant")
    client.force_login(stranger)
    for public_id in (
        Application.objects.get(pk=application.pk).public_id,
        Party.objects.get(pk=party.pk).public_id,
    ):
        urls = [
            reverse("portal:draft_resume", kwargs={"public_id": public_id}),
            check_url(public_id),
            *[step(public_id, s.slug) for s in STEPS],
        ]
        for url in urls:
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"declared": "on"}).status_code == 404, url
    assert reverse("portal:draft_resume", kwargs={"public_id": application.public_id}) not in (
        client.get(reverse("portal:draft_list")).content.decode()
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_a_renewal_draft_shows_the_party_and_the_licence_sites(client: Any) -> None:
    party = PartyFactory()
    site = SiteFactory(party=party, name="Gamle fabrikk")
    licence = LicenceFactory(holder=party, sites=[site])
    application = ApplicationFactory(party=party, kind="renewal", licence=licence)
    from tests.portal.test_apply import _acting

    client.force_login(_acting(party))
    identity = client.get(step(application.public_id, "identity")).content.decode()
    assert party.legal_name in identity
    sites = client.get(step(application.public_id, "sites")).content.decode()
    assert "Gamle fabrikk" in sites
    data = formset(
        "site",
        [{**SITE, "id": site.pk, "name": "Gamle fabrikk", "kind": "warehouse"}],
        initial=1,
    )
    assert client.post(step(application.public_id, "sites"), data).status_code == 302
    assert list(application.sites.all()) == [site]


def test_a_licensee_applies_again_for_its_party_without_retyping_its_identity(
    client: Any, applicant_for: Any
) -> None:
    """A second licence (another activity) for a party the user already acts for."""
    licence = LicenceFactory(activities=["retail"])
    TaxRegistrationFactory(party=licence.holder, country="NO", number="NO988077917MVA")
    PersonFactory(party=licence.holder)
    other = PartyFactory()
    client.force_login(applicant_for(licence.holder))
    page = client.get(reverse("portal:apply_start")).content.decode()
    resume = reverse("portal:draft_resume", kwargs={"public_id": licence.holder.public_id})
    assert resume in page
    assert str(other.public_id) not in page
    assert client.get(resume)["Location"] == step(licence.holder.public_id, "activities")
    client.post(step(licence.holder.public_id, "activities"), {"activities": ["wholesale"]})
    draft = Application.objects.get(party=licence.holder, state=ApplicationState.DRAFT)
    assert (draft.kind, draft.activities) == ("new", ["wholesale"])
