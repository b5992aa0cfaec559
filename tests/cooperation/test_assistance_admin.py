"""Assistance cases in the officers' admin: recorded through the form (bad input re-rendered
with its message, nothing saved), worked through the buttons (the four-eyes button disabled
with its reason for the one who prepared), listed with the due filters; the dashboard's card
counts the open requests due and overdue; the party's page lists what was disclosed about it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from cooperation.models import AssistanceCase, CaseState, Direction
from cooperation.services import answers, cases
from tests.cooperation.helpers import inbound, versioned_licence
from tests.factories import MachineFactory, PartyFactory
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
        # Impossible days: before the Protocol was in force, in the future, a year 9999 due.
        ({"received_on": "0001-01-01", "due_on": "0001-01-05"}, "entry into force"),
        ({"received_on": "9999-12-30", "due_on": "9999-12-31"}, "entry into force"),
        ({"due_on": "9999-12-31"}, "within two years of the day received"),
        ({"as_of": "2030-01-01"}, "up to the day received"),
        ({"as_of": "0001-01-01"}, "from 1 January 1950"),
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


def test_a_second_record_beside_the_subject_is_refused_beside_its_field(
    client: Any, officer: Any
) -> None:
    # The answer reads the party concerned: a party named beside a licence must be its holder,
    # or another company's directors would leave in the licence's place.
    licence, _ = versioned_licence()
    other = PartyFactory()
    machine = MachineFactory()
    authority = CompetentAuthorityFactory()
    client.force_login(officer)
    response = client.post(ADD, form(authority, licence, party=str(other.pk)))
    assert response.status_code == 200
    assert "This party is not the holder of the record the case is about." in (
        response.content.decode()
    )
    response = client.post(ADD, form(authority, licence, machine=str(machine.pk)))
    assert response.status_code == 200
    assert "The case is about another kind of record: leave this empty." in (
        response.content.decode()
    )
    assert not AssistanceCase.objects.exists()
    # The holder itself may be named: it is the party concerned anyway.
    response = client.post(ADD, form(authority, licence, party=str(licence.holder.pk)))
    assert response.status_code == 302
    assert AssistanceCase.objects.get().party == licence.holder


def test_the_second_officer_reads_whose_records_leave(
    client: Any, officer: Any, officer2: Any
) -> None:
    licence, _ = versioned_licence()
    case = inbound(officer, licence)
    cases.start_case(case_id=case.pk, by=officer)
    answers.prepare_answer(case_id=case.pk, by=officer, sections=["party", "persons"], text="")
    client.force_login(officer2)
    confirm = client.get(f"{LIST}{case.pk}/action/send/").content.decode()
    assert licence.number in confirm and licence.holder.legal_name in confirm
    # The case's page names the sections, not their codes; a request received has no reply.
    page = client.get(f"{LIST}{case.pk}/change/").content.decode()
    assert "persons in roles: personal data (Art. 5)" in page
    assert '["party", "persons"]' not in page
    assert "action/reply/" not in page


def test_a_withdrawal_notified_ahead_takes_effect_on_its_day(client: Any, officer: Any) -> None:
    licence, _ = versioned_licence()
    today = timezone.localdate()
    ending = CompetentAuthorityFactory(withdrawn_on=today + dt.timedelta(days=10))
    assert ending.in_force
    client.force_login(officer)
    assert f'value="{ending.pk}"' in client.get(ADD).content.decode()
    assert client.post(ADD, form(ending, licence)).status_code == 302
    with time_machine.travel(today + dt.timedelta(days=10, hours=12), tick=False):
        ending.refresh_from_db()
        assert not ending.in_force
        client.force_login(officer)  # a staff session ends after its hours
        page = client.get(ADD)
        assert page.status_code == 200 and 'name="authority"' in page.content.decode()
        assert f'value="{ending.pk}"' not in page.content.decode()


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
    # The signed answer as it was sent, from its case's page.
    answer_url = f"{LIST}{case.pk}/answer/"
    assert answer_url in client.get(page).content.decode()
    download = client.get(answer_url)
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # The holder's page lists the disclosure for an officer who may read the register.
    party_page = client.get(f"/admin/licensing/party/{licence.holder.pk}/change/").content
    assert b"Disclosed to other Parties" in party_page
    assert case.authority.name.encode() in party_page


def test_the_answer_is_not_downloaded_by_who_may_not_read_the_case(
    client: Any, officer: Any, inspector: Any
) -> None:
    licence, _ = versioned_licence()
    case = cases.start_case(case_id=inbound(officer, licence).pk, by=officer)
    answers.prepare_answer(case_id=case.pk, by=officer, sections=["licence"], text="")
    answers.send_answer(case_id=case.pk, by=officer)
    client.force_login(inspector)  # inspectors do not read assistance cases
    assert client.get(f"{LIST}{case.pk}/answer/").status_code in (403, 404)
    client.force_login(officer)
    unanswered = inbound(officer, licence)
    assert client.get(f"{LIST}{unanswered.pk}/answer/").status_code == 404


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
    # A request this authority sent, overdue on the other side: not on the card.
    inbound(
        officer,
        licence,
        direction=Direction.OUTBOUND,
        received_on=today - dt.timedelta(days=40),
        due_on=today - dt.timedelta(days=1),
    )
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
