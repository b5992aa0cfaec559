"""The portal's first page: a start page for visitors, the user's own records for applicants."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ApplicationFactory, LicenceFactory, PartyFactory

pytestmark = pytest.mark.django_db


def test_a_visitor_sees_who_needs_a_licence_and_how_to_start(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Who needs a licence" in html
    assert "Article 6.1" in html and "Article 6.2" in html
    assert reverse("portal:signup") in html and reverse("portal:login") in html


def test_the_home_page_lists_only_the_user_s_own_records(client, applicant_for):
    mine, theirs = PartyFactory(), PartyFactory()
    draft = ApplicationFactory(party=mine)
    submitted = ApplicationFactory(party=mine, submitted=True)
    licence = LicenceFactory(holder=mine)
    other_draft = ApplicationFactory(party=theirs)
    other_submitted = ApplicationFactory(party=theirs, submitted=True)
    other_licence = LicenceFactory(holder=theirs)

    client.force_login(applicant_for(mine))
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    for shown in (mine.legal_name, draft.reference, submitted.reference, licence.number):
        assert shown in html
    for hidden in (
        theirs.legal_name,
        other_draft.reference,
        other_submitted.reference,
        other_licence.number,
    ):
        assert hidden not in html
    assert [row["object"] for row in response.context["drafts"]] == [draft]
    assert [row["object"] for row in response.context["in_progress"]] == [submitted]
    assert [row["object"] for row in response.context["licences"]] == [licence]
    assert licence.expires_on.strftime("%Y") in html
    assert f"?party={mine.public_id}" in html  # invite someone for this party


def test_links_go_to_the_other_parts_of_the_portal_by_public_id(client, applicant_for):
    party = PartyFactory()
    draft = ApplicationFactory(party=party)
    submitted = ApplicationFactory(party=party, submitted=True)
    licence = LicenceFactory(holder=party)
    client.force_login(applicant_for(party))
    context = client.get(reverse("portal:home")).context
    expected = {
        "drafts": ("portal:draft_resume", draft),
        "in_progress": ("portal:application_detail", submitted),
        "licences": ("portal:licence_detail", licence),
    }
    for key, (name, obj) in expected.items():
        (row,) = context[key]
        assert row["url"] == reverse(name, kwargs={"public_id": obj.public_id})
    assert context["apply_url"] == reverse("portal:apply_start")


def test_a_user_with_no_party_is_told_how_to_start(client, django_user_model):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=False, role="applicant"))
    response = client.get(reverse("portal:home"))
    assert "You do not act for any applicant or licensee yet" in response.content.decode()


def test_staff_go_to_the_admin(client, officer):
    client.force_login(officer)
    assert client.get(reverse("portal:home"))["Location"] == reverse("admin:index")
