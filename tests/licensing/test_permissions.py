"""Who sees and changes what. An applicant acts for its own Parties only (django-guardian object
permission ``act_for_party``); the auditor reads everything and changes nothing; inspectors and
registrars do not do licence officers' work. Personal data (Art. 5) stays with its party."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from licensing import selectors
from licensing.exceptions import PermissionDenied
from licensing.models import Application, Document, Licence
from licensing.services import applications as apps
from licensing.services import licences as lic
from licensing.services.access import grant_party_access
from licensing.services.documents import store_document
from licensing.services.fees import record_payment
from tests import factories as f

pytestmark = pytest.mark.django_db

Attempt = Callable[[Any, Any, Any], tuple[Any, Callable[[Any], Any]]]


# Each attempt builds a record of party B ready for the step, and returns it with the call.


def create(b, officer, senior):
    return None, lambda by: apps.create_application(
        party=b, kind="new", activities=["retail"], by=by
    )


def declare(b, officer, senior):
    a = f.ApplicationFactory(party=b)
    return a, lambda by: apps.accept_declaration(application_id=a.pk, by=by)


def submit(b, officer, senior):
    a = f.ApplicationFactory(party=b, declared=True)
    return a, lambda by: apps.submit_application(application_id=a.pk, by=by)


def start_review(b, officer, senior):
    a = f.ApplicationFactory(party=b, submitted=True)
    return a, lambda by: apps.start_review(application_id=a.pk, by=by)


def request_information(b, officer, senior):
    a = f.ApplicationFactory(party=b, in_review=True)
    return a, lambda by: apps.request_information(application_id=a.pk, by=by, question="Q?")


def provide_information(b, officer, senior):
    a = f.ApplicationFactory(party=b, information_requested=True)
    return a, lambda by: apps.provide_information(application_id=a.pk, by=by, answer="A.")


def withdraw(b, officer, senior):
    a = f.ApplicationFactory(party=b, submitted=True)
    return a, lambda by: apps.withdraw_application(application_id=a.pk, by=by)


def pay(b, officer, senior):
    a = f.ApplicationFactory(party=b, in_review=True)
    return a, lambda by: record_payment(
        invoice_id=a.invoice.pk,
        by=by,
        reference="R-1",
        amount=Decimal("1.00"),
        paid_on=timezone.localdate(),
    )


def approve(b, officer, senior):
    a = f.ApplicationFactory(party=b, in_review=True, paid=True)
    return a, lambda by: apps.approve_application(application_id=a.pk, by=by)


def propose_refusal(b, officer, senior):
    a = f.ApplicationFactory(party=b, in_review=True)
    return a, lambda by: apps.propose_decision(
        application_id=a.pk, by=by, action="refuse", ground="other", reason="R."
    )


def confirm_refusal(b, officer, senior):
    a = f.ApplicationFactory(party=b, in_review=True)
    apps.propose_decision(
        application_id=a.pk, by=officer, action="refuse", ground="other", reason="R."
    )
    return a, lambda by: apps.confirm_refusal(application_id=a.pk, by=by)


def reject_proposal(b, officer, senior):
    a = f.ApplicationFactory(party=b, in_review=True)
    p = apps.propose_decision(
        application_id=a.pk, by=officer, action="refuse", ground="other", reason="R."
    )
    return p, lambda by: apps.reject_proposal(proposal_id=p.pk, by=by, note="N.")


def meet_condition(b, officer, senior):
    c = f.ConditionFactory(application=f.ApplicationFactory(party=b, in_review=True))
    return c, lambda by: apps.meet_condition(condition_id=c.pk, by=by)


def suspend(b, officer, senior):
    licence = f.LicenceFactory(holder=b)
    return licence, lambda by: lic.suspend_licence(
        licence_id=licence.pk, by=by, ground="other", reason="R."
    )


def reinstate(b, officer, senior):
    licence = f.LicenceFactory(holder=b, suspended=True)
    return licence, lambda by: lic.reinstate_licence(licence_id=licence.pk, by=by)


def propose_revocation(b, officer, senior):
    licence = f.LicenceFactory(holder=b)
    return licence, lambda by: lic.propose_revocation(
        licence_id=licence.pk, by=by, ground="other", reason="R."
    )


def confirm_revocation(b, officer, senior):
    licence = f.LicenceFactory(holder=b)
    lic.propose_revocation(licence_id=licence.pk, by=officer, ground="other", reason="R.")
    return licence, lambda by: lic.confirm_revocation(licence_id=licence.pk, by=by)


def surrender(b, officer, senior):
    licence = f.LicenceFactory(holder=b)
    return licence, lambda by: lic.surrender_licence(licence_id=licence.pk, by=by)


def grant_access(b, officer, senior):
    newcomer = f.UserFactory(is_staff=False, role="applicant")
    return b, lambda by: grant_party_access(party=b, user=newcomer, by=by)


def upload(b, officer, senior):
    pdf = SimpleUploadedFile("articles.pdf", f.PDF_BYTES, content_type="application/pdf")
    return b, lambda by: store_document(party=b, upload=pdf, kind="articles", by=by)


ATTEMPTS: list[Attempt] = [
    create,
    declare,
    submit,
    start_review,
    request_information,
    provide_information,
    withdraw,
    pay,
    approve,
    propose_refusal,
    confirm_refusal,
    reject_proposal,
    meet_condition,
    suspend,
    reinstate,
    propose_revocation,
    confirm_revocation,
    surrender,
    grant_access,
    upload,
]


@pytest.fixture
def party_a():
    return f.PartyFactory(legal_name="Alfa Tobakk AS")


@pytest.fixture
def party_b():
    return f.PartyFactory(legal_name="Beta Tabak GmbH", country="DE")


@pytest.fixture
def applicant_a(applicant_for, party_a):
    return applicant_for(party_a)


@pytest.fixture
def world(party_a, party_b):
    """Each party has an application and a licence."""
    return {
        party: (f.ApplicationFactory(party=party, submitted=True), f.LicenceFactory(holder=party))
        for party in (party_a, party_b)
    }


def test_an_applicant_sees_only_its_own_party(applicant_a, party_a, party_b, world):
    assert list(selectors.visible_parties(applicant_a)) == [party_a]
    own_application, own_licence = world[party_a]
    applications = selectors.visible_applications(applicant_a)
    assert set(applications) == {own_application, own_licence.application}
    assert not applications.filter(party=party_b).exists()
    assert list(selectors.visible_licences(applicant_a)) == [own_licence]
    assert not selectors.officer_queue(applicant_a).filter(party=party_b).exists()


def test_an_applicant_acting_for_no_party_sees_nothing(world):
    nobody = f.UserFactory(is_staff=False, role="applicant")
    assert not selectors.visible_parties(nobody).exists()
    assert not selectors.visible_applications(nobody).exists()
    assert not selectors.visible_licences(nobody).exists()


@pytest.mark.parametrize("who", ["officer", "senior", "auditor", "inspector", "registrar"])
def test_staff_see_every_party_application_and_licence(request, who, world):
    user = request.getfixturevalue(who)
    assert selectors.visible_parties(user).count() == 2
    assert selectors.visible_applications(user).count() == Application.objects.count() == 4
    assert selectors.visible_licences(user).count() == Licence.objects.count() == 2


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=lambda a: a.__name__)
@pytest.mark.parametrize("who", ["applicant_a", "auditor", "inspector", "registrar"])
def test_nobody_but_the_party_and_officers_changes_party_bs_records(
    request, refused, party_b, officer, senior, who, attempt
):
    """An applicant for A, the auditor (reads only), inspectors and registrars are refused
    every changing service on party B's records: the state stays, no event is written."""
    by = request.getfixturevalue(who)
    obj, call = attempt(party_b, officer, senior)
    field = "status" if type(obj).__name__ == "DecisionProposal" else "state"
    if obj is not None and not hasattr(obj, field):
        field = "met_at" if hasattr(obj, "met_at") else "updated_at"
    with refused(PermissionDenied, obj, field=field):
        call(by)
    assert not Document.objects.exists()


def test_an_applicant_grants_access_to_its_own_party_only(applicant_a, party_a, party_b):
    colleague = f.UserFactory(is_staff=False, role="applicant")
    grant_party_access(party=party_a, user=colleague, by=applicant_a)
    colleague = type(colleague).objects.get(pk=colleague.pk)  # permissions are cached per object
    assert colleague.has_perm("licensing.act_for_party", party_a)
    assert not colleague.has_perm("licensing.act_for_party", party_b)
    with pytest.raises(PermissionDenied):
        grant_party_access(party=party_b, user=applicant_a, by=applicant_a)
    applicant_a = type(applicant_a).objects.get(pk=applicant_a.pk)
    assert not applicant_a.has_perm("licensing.act_for_party", party_b)


def test_an_applicant_holds_no_global_permission(applicant_a):
    assert applicant_a.get_all_permissions() == set()
    assert not applicant_a.is_staff


def test_the_auditor_reads_everything_and_holds_no_changing_permission(auditor):
    permissions = auditor.get_all_permissions()
    assert "licensing.view_auditevent" in permissions
    assert "licensing.view_party" in permissions
    # Reading only; exporting the register of disclosures is reading it (Art. 22.2).
    reading = {p for p in permissions if p.split(".")[1].startswith("view_")}
    assert permissions - reading == {"cooperation.export_disclosure"}
