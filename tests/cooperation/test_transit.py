"""Transit and transhipment notices (Art. 12.3): filed in the portal by a licensed transporter
or broker for the party it acts for (bad input re-rendered with its message, nothing saved; a
goods removal from a free zone needs the declaration of Art. 12.2); acknowledged or flagged by
an officer, each with its allowed and refused path; the exit confirmed; chased once when the
goods have not left by their last day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cooperation.models import FreeZone, TransitNotice, TransitState
from cooperation.services import transit
from cooperation.services.errors import LeftBeforeEntering, LeftInFuture, NoTransitLicence
from cooperation.tasks import chase_overdue_transits
from licensing.exceptions import PermissionDenied, ReasonRequired, TransitionNotAllowed
from licensing.models import AuditEvent, Verb
from tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db

NEW = "/portal/transit/new/"


def carrier() -> Any:
    return LicenceFactory(activities=["transport"])


def form(licence: Any, **overrides: Any) -> dict[str, str]:
    today = timezone.localdate()
    return {
        "licence": str(licence.pk),
        "kind": "transit",
        "goods": "products",
        "description": "Cigarettes, 20 brands",
        "quantity": "4000000",
        "unit": "sticks",
        "consignment": "Container MSKU 1234567",
        "origin_country": "DE",
        "destination_country": "RU",
        "entry_point": "Svinesund",
        "exit_point": "Storskog",
        "route": "E6 north",
        "transport": "road",
        "vehicle": "AB 12345",
        "seals": "DE-88120, DE-88121",
        "enters_on": (today + dt.timedelta(days=1)).isoformat(),
        "leaves_by": (today + dt.timedelta(days=4)).isoformat(),
        "from_free_zone": "",
        **overrides,
    }


def filed(applicant_for: Any, *, on: dt.date | None = None, **overrides: Any) -> TransitNotice:
    """A notice filed by a new carrier's user, ``on`` a day (today if not given)."""
    licence = carrier()
    user = applicant_for(licence.holder)
    notice = TransitNotice(**{**form_values(licence), **overrides})
    return transit.notify_transit(notice=notice, by=user, today=on)


def form_values(licence: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "party": licence.holder,
        "licence": licence,
        "kind": "transit",
        "goods": "products",
        "description": "Cigarettes",
        "quantity": 1000,
        "unit": "sticks",
        "consignment": "MSKU 7654321",
        "origin_country": "DE",
        "destination_country": "RU",
        "entry_point": "Svinesund",
        "exit_point": "Storskog",
        "transport": "road",
        "vehicle": "AB 12345",
        "enters_on": today,
        "leaves_by": today + dt.timedelta(days=3),
    }


def test_a_carrier_files_a_notice_in_the_portal(client: Any, applicant_for: Any) -> None:
    licence = carrier()
    client.force_login(applicant_for(licence.holder))
    assert b"Transit notices (Art. 12.3)" in client.get("/portal/").content
    response = client.post(NEW, form(licence))
    notice = TransitNotice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/transit/{notice.public_id}/"
    assert notice.reference == f"TN-{notice.enters_on.year}-{notice.pk:06d}"
    assert (notice.party, notice.state) == (licence.holder, TransitState.NOTIFIED)
    assert AuditEvent.objects.for_object(notice).get().verb == Verb.SUBMITTED
    page = client.get(response["Location"]).content.decode()
    assert "Container MSKU 1234567" in page and "DE-88120" in page
    assert "4,000,000 sticks" in page  # grouped in the reader's language


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"leaves_by": "2020-01-01"}, "cannot leave before they enter"),
        ({"quantity": "-5"}, "Ensure this value is greater than or equal to 0.001."),
        ({"consignment": ""}, "This field is required."),
        ({"enters_on": "not a date"}, "Enter a valid date."),
        ({"unit": "barrels"}, "Select a valid choice."),
        ({"vehicle": "<script>alert(1)</script>", "leaves_by": "2020-01-01"}, "&lt;script&gt;"),
        # Art. 12.3: notified before the goods enter, within bounds.
        ({"enters_on": "2020-01-01", "leaves_by": "2020-01-02"}, "the day cannot be past"),
        ({"enters_on": "0001-01-01", "leaves_by": "0001-01-02"}, "the day cannot be past"),
        ({"enters_on": "9999-12-30", "leaves_by": "9999-12-31"}, "at most 180 days before"),
        ({"leaves_by": "9999-12-31"}, "within 90 days of entering"),
        ({"quantity": "1.5"}, "counted in whole numbers"),
    ],
)
def test_bad_input_is_re_rendered_with_its_message(
    client: Any, applicant_for: Any, overrides: dict[str, str], message: str
) -> None:
    licence = carrier()
    client.force_login(applicant_for(licence.holder))
    response = client.post(NEW, form(licence, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not TransitNotice.objects.exists()


def test_removal_from_a_free_zone_needs_the_declaration(client: Any, applicant_for: Any) -> None:
    licence = carrier()
    zone = FreeZone.objects.create(name="Frihavn", code="FZ-1", addresses="Kaia 1")
    client.force_login(applicant_for(licence.holder))
    refused = client.post(NEW, form(licence, from_free_zone=str(zone.pk)))
    assert refused.status_code == 400
    assert "Art. 12.2" in refused.content.decode()
    accepted = client.post(
        NEW, form(licence, from_free_zone=str(zone.pk), no_intermingling_declared="on")
    )
    assert accepted.status_code == 302
    assert TransitNotice.objects.get().from_free_zone == zone


def test_only_a_transporter_or_broker_of_the_party_files(client: Any, applicant_for: Any) -> None:
    shop = LicenceFactory(activities=["retail"])
    user = applicant_for(shop.holder)
    client.force_login(user)
    assert client.get(NEW).status_code == 404
    assert b"Transit notices (Art. 12.3)" not in client.get("/portal/").content
    other = carrier()
    with pytest.raises(PermissionDenied):
        transit.notify_transit(notice=TransitNotice(**form_values(other)), by=user)
    with pytest.raises(NoTransitLicence):
        transit.notify_transit(
            notice=TransitNotice(**form_values(shop)), by=applicant_for(shop.holder)
        )


def test_another_partys_notice_is_a_404(client: Any, applicant_for: Any) -> None:
    notice = filed(applicant_for)
    stranger = applicant_for(carrier().holder)
    client.force_login(stranger)
    assert client.get(f"/portal/transit/{notice.public_id}/").status_code == 404
    response = client.post(
        f"/portal/transit/{notice.public_id}/", {"left_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 404
    assert notice.__class__.objects.get(pk=notice.pk).state == TransitState.NOTIFIED


def test_officers_acknowledge_or_flag_and_others_may_not(
    applicant_for: Any, officer: Any, inspector: Any, auditor: Any
) -> None:
    first, second = filed(applicant_for), filed(applicant_for)
    with pytest.raises(PermissionDenied):
        transit.acknowledge(notice_id=first.pk, by=auditor)
    assert transit.acknowledge(notice_id=first.pk, by=officer).state == TransitState.ACKNOWLEDGED
    with pytest.raises(TransitionNotAllowed):
        transit.acknowledge(notice_id=first.pk, by=officer)
    with pytest.raises(ReasonRequired):
        transit.flag(notice_id=second.pk, by=inspector, reason=" ")
    with pytest.raises(PermissionDenied):
        transit.flag(notice_id=second.pk, by=auditor, reason="Seal numbers differ.")
    flagged = transit.flag(notice_id=second.pk, by=inspector, reason="Seal numbers differ.")
    assert flagged.state == TransitState.FLAGGED
    assert AuditEvent.objects.for_object(flagged).latest("pk").reason == "Seal numbers differ."


def test_the_holder_confirms_the_exit_in_the_portal(client: Any, applicant_for: Any) -> None:
    notice = filed(applicant_for)
    user = applicant_for(notice.party)
    client.force_login(user)
    url = f"/portal/transit/{notice.public_id}/"
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert client.post(url, {"left_on": future}).status_code == 400
    response = client.post(url, {"left_on": timezone.localdate().isoformat(), "at_point": ""})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.state, notice.left_at_point) == (TransitState.LEFT, "Storskog")
    assert b"Confirm the exit" not in client.get(url).content


def test_the_form_sent_twice_files_one_notice(client: Any, applicant_for: Any) -> None:
    # The browser's back button and a second send: the same consignment and days.
    licence = carrier()
    client.force_login(applicant_for(licence.holder))
    assert client.post(NEW, form(licence)).status_code == 302
    again = client.post(NEW, form(licence, consignment=" container msku 1234567 "))
    assert again.status_code == 400
    notice = TransitNotice.objects.get()
    assert f"already notified for these days ({notice.reference})" in again.content.decode()
    # Another window for the same container is another transit.
    later = timezone.localdate() + dt.timedelta(days=20)
    other = form(
        licence,
        enters_on=later.isoformat(),
        leaves_by=(later + dt.timedelta(days=2)).isoformat(),
    )
    assert client.post(NEW, other).status_code == 302
    assert TransitNotice.objects.count() == 2


def test_an_exit_sent_again_says_it_is_recorded(client: Any, applicant_for: Any) -> None:
    notice = filed(applicant_for)
    client.force_login(applicant_for(notice.party))
    url = f"/portal/transit/{notice.public_id}/"
    data = {"left_on": timezone.localdate().isoformat(), "at_point": ""}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)
    assert again.status_code == 200
    assert "The exit of these goods is already recorded." in again.content.decode()
    assert AuditEvent.objects.filter(verb=Verb.GOODS_LEFT).count() == 1


def test_an_officer_cannot_record_an_exit_in_the_future(
    client: Any, applicant_for: Any, inspector: Any
) -> None:
    notice = filed(applicant_for)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(LeftInFuture):
        transit.confirm_exit(notice_id=notice.pk, by=inspector, left_on=tomorrow)
    client.force_login(inspector)
    url = f"/admin/cooperation/transitnotice/{notice.pk}/action/leave/"
    response = client.post(url, {"left_on": "2030-01-01", "at_point": ""})
    assert response.status_code == 200
    assert "The day the goods left cannot be in the future." in response.content.decode()
    before = (notice.enters_on - dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"left_on": before, "at_point": ""})
    assert "The goods cannot have left before they entered" in response.content.decode()
    # The notice's page, read only, gives the quantity grouped, with its unit.
    page = client.get(f"/admin/cooperation/transitnotice/{notice.pk}/change/").content.decode()
    assert "1,000 sticks" in page
    notice.refresh_from_db()
    assert notice.state == TransitState.NOTIFIED and notice.left_on is None


def test_the_exit_is_confirmed_by_the_holder_or_an_officer_only(
    applicant_for: Any, auditor: Any
) -> None:
    notice = filed(applicant_for)
    stranger = applicant_for(carrier().holder)
    with pytest.raises(PermissionDenied):
        transit.confirm_exit(notice_id=notice.pk, by=stranger, left_on=timezone.localdate())
    with pytest.raises(PermissionDenied):
        transit.confirm_exit(notice_id=notice.pk, by=auditor, left_on=timezone.localdate())
    with pytest.raises(LeftBeforeEntering):
        transit.confirm_exit(
            notice_id=notice.pk,
            by=applicant_for(notice.party),
            left_on=notice.enters_on - dt.timedelta(days=1),
        )
    notice.refresh_from_db()
    assert notice.state == TransitState.NOTIFIED and notice.left_on is None


def test_an_overdue_transit_is_chased_once(
    applicant_for: Any, officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    late = filed(
        applicant_for,
        on=today - dt.timedelta(days=6),
        enters_on=today - dt.timedelta(days=5),
        leaves_by=today - dt.timedelta(days=1),
    )
    gone = filed(
        applicant_for,
        on=today - dt.timedelta(days=6),
        enters_on=today - dt.timedelta(days=5),
        leaves_by=today - dt.timedelta(days=1),
    )
    transit.confirm_exit(notice_id=gone.pk, by=officer, left_on=today - dt.timedelta(days=2))
    filed(applicant_for)  # still within its window
    with django_capture_on_commit_callbacks(execute=True):
        assert chase_overdue_transits.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert chase_overdue_transits.delay().get() == 0
    late.refresh_from_db()
    assert late.chased_on == today
    to_holder = [m for m in mail.outbox if m.to == [late.party.email]]
    assert len(to_holder) == 1 and late.reference in to_holder[0].subject
    assert any(m.to == [officer.email] for m in mail.outbox)
    assert AuditEvent.objects.filter(verb=Verb.ESCALATED).count() == 1


def test_the_officer_acknowledges_through_the_admin(
    client: Any, applicant_for: Any, officer: Any, auditor: Any
) -> None:
    notice = filed(applicant_for)
    url = f"/admin/cooperation/transitnotice/{notice.pk}/"
    client.force_login(auditor)
    assert "/action/" not in client.get(f"{url}change/").content.decode()
    client.force_login(officer)
    assert client.post(f"{url}action/acknowledge/").status_code == 302
    notice.refresh_from_db()
    assert notice.state == TransitState.ACKNOWLEDGED and notice.handled_by == officer
    listing = client.get("/admin/cooperation/transitnotice/", {"overdue": "yes"}).content
    assert notice.reference.encode() not in listing
