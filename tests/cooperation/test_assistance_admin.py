"""Assistance cases in the officers' admin: recorded through the form (bad input re-rendered
with its message, nothing saved), worked through the buttons (the four-eyes button disabled
with its reason for the one who prepared), listed with the due filters; the dashboard's card
counts the open requests due and overdue; the party's page lists what was disclosed about it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from cooperation.models import AssistanceCase, CaseState
from cooperation.services import answers, cases
from tests.cooperation.helpers import inbound, versioned_licence
from tests.factories.cooperation import CompetentAuthorityFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/cooperation/assistancecase/add/"
LIST = "/admin/cooperation/assistancecase/"


def form(authority: Any, licence: Any, /, **overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "direction": "inbound",
        "authority": str(authority.pk),
        "their_reference": "NAV-77/2026",
        "received_on": today.isoformat(),
        "due_on": (today + dt.timedelta(days=30)).isoformat(),
        "subject_kind": "licence",
        "licence": str(licence.pk),
        "party": "",
        "machine": "",
        "seizure": "",
        "consignment": "",
        "question": "Is the licence valid and who are the directors?",
        "justification": "Seizure of 2 million cigarettes at Záhony.",
        "confidentiality": "restricted",
        "as_of": "",
        **overrides,
    }


def test_an_officer_records_a_request_through_the_form(client: Any, officer: Any) -> None:
    licence, _ = versioned_licence()
    authority = CompetentAuthorityFactory(country="HU", name="NAV")
    client.force_login(officer)
    response = client.post(ADD, form(authority, licence))
    assert response.status_code == 302, response.content
    case = AssistanceCase.objects.get()
    assert (case.their_reference, case.party, case.recorded_by) == (
        "NAV-77/2026",
        licence.holder,
        officer,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"authority": ""}, "Name the other Party&#x27;s competent authority."),
        ({"due_on": "2020-01-01"}, "The due date cannot be before the day the request"),
        ({"due_on": ""}, "A request received needs the date its answer is due."),
        ({"licence": ""}, "Name the record the case is about."),
        ({"subject_kind": "consignment", "licence": ""}, "Name the record the case is about."),
        ({"received_on": "31.02.2026"}, "Enter a valid date."),
    ],
)
def test_bad_input_re_renders_the_form_with_its_message(
    client: Any, officer: Any, overrides: dict[str, Any], message: str
) -> None:
    licence, _ = versioned_licence()
    authority = CompetentAuthorityFactory()
    client.force_login(officer)
    response = client.post(ADD, form(authority, licence, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AssistanceCase.objects.exists()


def test_a_withdrawn_authority_is_not_offered(client: Any, officer: Any) -> None:
    licence, _ = versioned_licence()
    withdrawn = CompetentAuthorityFactory(withdrawn_on=timezone.localdate())
    client.force_login(officer)
    assert f'value="{withdrawn.pk}"' not in client.get(ADD).content.decode()
    response = client.post(ADD, form(withdrawn, licence))
    assert response.status_code == 200 and not AssistanceCase.objects.exists()


def test_the_buttons_run_the_services_and_four_eyes_shows_its_reason(
    client: Any, officer: Any, officer2: Any
) -> None:
    licence, _ = versioned_licence()
    case = inbound(officer, licence)
    client.force_login(officer)
    page = f"{LIST}{case.pk}/change/"
    assert client.post(f"{LIST}{case.pk}/action/start/").status_code == 302
    response = client.post(
        f"{LIST}{case.pk}/action/prepare/",
        {"sections": ["licence", "persons"], "text": "As asked."},
    )
    assert response.status_code == 302
    html = client.get(page).content.decode()
    assert "Another officer must confirm an answer with personal data you prepared." in html
    # Pressed anyway (an old page): refused, nothing sent.
    client.post(f"{LIST}{case.pk}/action/send/")
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS
    client.force_login(officer2)
    confirm = client.get(f"{LIST}{case.pk}/action/send/").content.decode()
    assert "Holds personal data" in confirm
    assert client.post(f"{LIST}{case.pk}/action/send/").status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.ANSWERED and case.answer_document is not None
    # The holder's page lists the disclosure for an officer who may read the register.
    party_page = client.get(f"/admin/licensing/party/{licence.holder.pk}/change/").content
    assert b"Disclosed to other Parties" in party_page
    assert case.authority.name.encode() in party_page


def test_decline_re_renders_without_a_ground(client: Any, officer: Any) -> None:
    licence, _ = versioned_licence()
    case = inbound(officer, licence)
    client.force_login(officer)
    response = client.post(f"{LIST}{case.pk}/action/decline/", {"ground": "", "reason": "x"})
    assert response.status_code == 200
    assert "Choose the ground of the decision." in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.RECEIVED


def test_an_auditor_reads_cases_but_has_no_buttons(client: Any, officer: Any, auditor: Any) -> None:
    licence, _ = versioned_licence()
    case = inbound(officer, licence)
    client.force_login(auditor)
    html = client.get(f"{LIST}{case.pk}/change/").content.decode()
    assert case.reference in html
    assert "/action/" not in html
    assert client.post(f"{LIST}{case.pk}/action/start/").status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.RECEIVED
    assert client.get(ADD).status_code == 403


def test_the_due_filters_and_the_dashboard_card(client: Any, officer: Any, senior: Any) -> None:
    licence, _ = versioned_licence()
    today = timezone.localdate()
    late = inbound(
        officer,
        licence,
        received_on=today - dt.timedelta(days=40),
        due_on=today - dt.timedelta(days=1),
    )
    soon = inbound(officer, licence, due_on=today + dt.timedelta(days=2))
    later = inbound(officer, licence)
    done = inbound(officer, licence, due_on=today + dt.timedelta(days=1))
    cases.start_case(case_id=done.pk, by=officer)
    answers.prepare_answer(case_id=done.pk, by=officer, sections=["licence"], text="")
    answers.send_answer(case_id=done.pk, by=officer)
    client.force_login(senior)
    overdue = client.get(LIST, {"due": "overdue"}).content.decode()
    assert late.reference in overdue and soon.reference not in overdue
    due_soon = client.get(LIST, {"due": "soon"}).content.decode()
    assert soon.reference in due_soon
    assert later.reference not in due_soon and done.reference not in due_soon
    home = client.get("/admin/").content.decode()
    card = home[home.index("Requests from other Parties") :]
    counts = [int(n) for n in re.findall(r"<strong>(\d+)</strong>", card)[:3]]
    assert counts == [3, 1, 1]
