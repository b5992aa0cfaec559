"""The directory of competent authorities (issue 23, Art. 22.1): senior officers register and
correct an authority through the admin (every edit audited), other staff read it; bad input
re-renders the form with its message; a designation withdrawn is kept, no longer offered to a
new API client, and refused by the service; the API's partner clients are the directory's
authorities, not a second list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from api.scopes import LICENCES_READ
from api.services.partners import AuthorityWithdrawn, register_partner
from cooperation.models import CompetentAuthority
from licensing.models import AuditEvent, Verb
from tests.factories.cooperation import CompetentAuthorityFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/cooperation/competentauthority/add/"
LIST = "/admin/cooperation/competentauthority/"


def form(**overrides: Any) -> dict[str, Any]:
    return {
        "country": "HU",
        "name": "Nemzeti Adó- és Vámhivatal",
        "kind": "customs",
        "email": "nav@nav.example",
        "phone": "+36 1 428 5100",
        "address": "Széchenyi utca 2, 1054 Budapest",
        "channels": ["email", "secure"],
        "agreements": "Council Regulation (EC) No 515/97",
        "personal_data_allowed": "on",
        "designated_on": "2026-01-15",
        "withdrawn_on": "",
        **overrides,
    }


def test_a_senior_officer_registers_an_authority_and_it_is_audited(
    client: Any, senior: Any
) -> None:
    client.force_login(senior)
    answer = client.post(ADD, form())
    assert answer.status_code == 302
    authority = CompetentAuthority.objects.get()
    assert (authority.country.code, authority.channels, authority.personal_data_allowed) == (
        "HU",
        ["email", "secure"],
        True,
    )
    assert AuditEvent.objects.for_object(authority).filter(verb=Verb.CREATED, actor=senior)
    listed = client.get(LIST, {"q": "Vámhivatal"}).content.decode()
    assert "Nemzeti Adó- és Vámhivatal" in listed


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"channels": ["pigeon"]}, "channels"),
        ({"email": "not an address"}, "email"),
        ({"designated_on": "2026-03-01", "withdrawn_on": "2026-02-01"}, None),
        ({"name": "nemzeti adó- és vámhivatal"}, None),  # the same authority, in other case
    ],
    ids=["channel", "email", "withdrawn-before-designated", "twice"],
)
def test_bad_input_re_renders_the_form_with_its_message(
    client: Any, senior: Any, overrides: dict[str, Any], field: str | None
) -> None:
    CompetentAuthorityFactory(country="HU", name="Nemzeti Adó- és Vámhivatal")
    client.force_login(senior)
    answer = client.post(ADD, form(**overrides))
    assert answer.status_code == 200
    errors = answer.context["adminform"].form.errors
    assert (field in errors) if field else errors
    assert CompetentAuthority.objects.count() == 1


def test_other_staff_read_the_directory_and_cannot_change_it(
    client: Any, officer: Any, inspector: Any, auditor: Any
) -> None:
    authority = CompetentAuthorityFactory()
    for user in (officer, inspector, auditor):
        client.force_login(user)
        assert client.get(LIST).status_code == 200
        assert client.post(ADD, form()).status_code == 403
        change = f"{LIST}{authority.pk}/change/"
        client.post(change, form(name="Changed"))
        authority.refresh_from_db()
        assert authority.name != "Changed"
    client.force_login(officer)
    assert client.post(f"{LIST}{authority.pk}/delete/").status_code == 403
    assert CompetentAuthority.objects.filter(pk=authority.pk).exists()


def test_a_withdrawn_designation_is_not_offered_to_a_new_api_client(
    client: Any, senior: Any
) -> None:
    withdrawn = CompetentAuthorityFactory(
        name="Tullverket (old)", withdrawn_on=timezone.localdate() - dt.timedelta(days=1)
    )
    current = CompetentAuthorityFactory(name="Tullverket")
    client.force_login(senior)
    page = client.get("/admin/api/partnerclient/add/")
    offered = set(page.context["adminform"].form.fields["authority"].queryset)
    assert offered == {current}
    with pytest.raises(AuthorityWithdrawn):
        register_partner(
            authority=withdrawn,
            contact_email="api@tull.example",
            scopes=[LICENCES_READ],
            expires_on=timezone.localdate() + dt.timedelta(days=30),
            by=senior,
        )


def test_the_api_client_is_the_directorys_authority(client: Any, senior: Any) -> None:
    authority = CompetentAuthorityFactory(name="Tullverket")
    partner, _secret = register_partner(
        authority=authority,
        contact_email="api@tull.example",
        scopes=[LICENCES_READ],
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        by=senior,
    )
    assert (partner.name, partner.country.code, str(partner)) == (
        "Tullverket",
        "SE",
        "Tullverket (SE)",
    )
    client.force_login(senior)
    listed = client.get(LIST)
    row = next(a for a in listed.context["cl"].result_list if a.pk == authority.pk)
    assert row.client_count == 1
