"""The inspector's phone page, the officers' admin and the holder's reports (Art. 6.3(e)),
through the test client: who sees what, and each step from the page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from inspections.models import (
    AnswerType,
    FindingKind,
    Inspection,
    InspectionKind,
    InspectionState,
)
from inspections.services import inspections as svc
from licensing.models import ProposalAction
from licensing.services import licences as licence_svc
from tests.factories.equipment import MachineFactory
from tests.factories.inspections import InspectionFactory
from tests.inspections.test_inspections import PNG, answer_all

pytestmark = pytest.mark.django_db


def page(inspection) -> str:
    return reverse("inspections:inspect", kwargs={"public_id": inspection.public_id})


def fields_for(inspection, *, skip_mandatory: bool = False) -> dict:
    data = {}
    for q in inspection.template.questions.all():
        if skip_mandatory and q.mandatory:
            continue
        if q.answer_type == AnswerType.YES_NO:
            data[f"q{q.pk}"] = "yes"
        elif q.answer_type == AnswerType.NUMBER:
            data[f"q{q.pk}"] = "3"
        elif q.answer_type == AnswerType.TEXT:
            data[f"q{q.pk}"] = "Tidy."
    return data


def test_the_list_shows_todays_and_upcoming_inspections_of_this_inspector(
    client, inspector, officer
):
    mine = InspectionFactory(inspector=inspector)
    theirs = InspectionFactory(inspector=officer)
    client.force_login(inspector)
    html = client.get(reverse("inspections:inspect_list")).content.decode()
    assert page(mine) in html and page(theirs) not in html
    assert reverse("equipment:inspect_orders") in html


def test_an_inspector_cannot_open_another_inspectors_inspection(client, inspector, officer):
    from tests.conftest import _user

    other = _user("inspector", "inspector2")
    theirs = InspectionFactory(inspector=other)
    client.force_login(inspector)
    assert client.get(page(theirs)).status_code == 404
    assert client.post(page(theirs), {"action": "start"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == InspectionState.PLANNED
    # Officers see every inspection, and change none from this page.
    client.force_login(officer)
    assert client.get(page(theirs)).status_code == 200
    assert client.post(page(theirs), {"action": "start"}).status_code == 403


def test_applicants_and_registrars_are_refused(client, registrar, applicant_for):
    inspection = InspectionFactory()
    for user in (registrar, applicant_for(inspection.licence.holder)):
        client.force_login(user)
        response = client.get(reverse("inspections:inspect_list"))
        assert response.status_code in (302, 403)
        assert client.get(page(inspection)).status_code in (302, 403)


def test_missing_mandatory_answers_re_render_with_messages_and_keep_what_was_typed(
    client, inspector
):
    inspection = InspectionFactory(inspector=inspector)
    client.force_login(inspector)
    client.post(page(inspection), {"action": "start"})
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.IN_PROGRESS
    data = {
        **fields_for(inspection, skip_mandatory=True),
        "persons_present": "Ingrid Haugen, production manager",
        "action": "submit",
    }
    response = client.post(page(inspection), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Answer every mandatory question before you submit" in html
    mandatory = inspection.template.questions.filter(mandatory=True).count()
    # Each, in the summary at the top and at its field.
    assert html.count("This question is mandatory.") == 2 * mandatory
    assert "Ingrid Haugen, production manager" in html
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.IN_PROGRESS
    assert inspection.persons_present == "Ingrid Haugen, production manager"  # saved as typed


def test_the_done_when_an_unregistered_machine_with_a_photo_to_a_confirmed_suspension(
    client, inspector, officer
):
    inspection = InspectionFactory(inspector=inspector)
    MachineFactory(licence=inspection.licence, site=inspection.site, serial_number="PM8-204417")
    client.force_login(inspector)
    client.post(page(inspection), {"action": "start"})
    inspection.refresh_from_db()
    photo_questions = inspection.template.questions.filter(answer_type=AnswerType.PHOTO)
    data = {
        **fields_for(inspection),
        "serials_seen": "PM8-204417\nZZ-00071-X",
        "persons_present": "Ingrid Haugen",
        "photos": [SimpleUploadedFile("plate.png", PNG, content_type="image/png")],
        **{f"q{q.pk}": SimpleUploadedFile("a.png", PNG) for q in photo_questions},
        "action": "submit",
    }
    response = client.post(page(inspection), data, follow=True)
    assert "The critical findings propose a suspension; a licence officer decides." in (
        response.content.decode()
    )
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.SUBMITTED
    finding = inspection.findings.get()
    assert (finding.kind, finding.serial) == (FindingKind.UNKNOWN_MACHINE, "ZZ-00071-X")
    assert inspection.photos.filter(question__isnull=True).count() == 1
    proposal = inspection.licence.pending_proposal()
    assert proposal.action == ProposalAction.SUSPEND

    # The officer sees the finding on the licence page, and the proposal to decide.
    client.force_login(officer)
    licence_page = reverse("admin:licensing_licence_change", args=[inspection.licence.pk])
    html = client.get(licence_page).content.decode()
    assert "ZZ-00071-X is not in the register" in html
    assert 'data-action="confirm_suspension"' in html
    confirm = reverse(
        "admin:licensing_licence_action", args=[inspection.licence.pk, "confirm_suspension"]
    )
    assert client.post(confirm).status_code == 302
    inspection.licence.refresh_from_db()
    assert inspection.licence.state == "suspended"


def test_the_inspector_is_told_when_a_critical_finding_proposes_nothing(client, inspector, officer):
    # Art. 6.3(a): a revocation is already proposed, so the critical finding cannot propose a
    # suspension; the inspector reads why instead of nothing.
    inspection = InspectionFactory(inspector=inspector)
    licence_svc.propose_revocation(
        licence_id=inspection.licence_id, by=officer, ground="other", reason="False declarations."
    )
    client.force_login(inspector)
    client.post(page(inspection), {"action": "start"})
    inspection.refresh_from_db()
    photo_questions = inspection.template.questions.filter(answer_type=AnswerType.PHOTO)
    data = {
        **fields_for(inspection),
        "serials_seen": "ZZ-00071-X",
        "persons_present": "Ingrid Haugen",
        **{f"q{q.pk}": SimpleUploadedFile("a.png", PNG) for q in photo_questions},
        "action": "submit",
    }

    html = client.post(page(inspection), data, follow=True).content.decode()

    assert "No suspension was proposed for the critical findings:" in html
    assert inspection.licence.pending_proposal().action == ProposalAction.REVOKE


def test_officers_review_and_reopen_from_the_admin(client, inspector, officer, auditor):
    inspection = InspectionFactory(inspector=inspector)
    inspection = svc.start_inspection(inspection_id=inspection.pk, by=inspector)
    answer_all(inspection, inspector)
    svc.submit_inspection(inspection_id=inspection.pk, by=inspector)
    change = reverse("admin:inspections_inspection_change", args=[inspection.pk])

    def action(name):
        return reverse("admin:inspections_inspection_action", args=[inspection.pk, name])

    client.force_login(auditor)
    assert 'data-action="review"' not in client.get(change).content.decode()
    client.post(action("review"))
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.SUBMITTED

    client.force_login(officer)
    assert 'data-action="review"' in client.get(change).content.decode()
    assert client.post(action("review")).status_code == 302
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.REVIEWED and inspection.report is not None
    response = client.post(action("reopen"), {"reason": ""})
    assert response.status_code == 200  # the form again, with its error
    client.post(action("reopen"), {"reason": "The photo is missing."})
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.REOPENED


def test_officers_plan_ad_hoc_and_follow_up_inspections(client, inspector, officer, refused):
    inspection = InspectionFactory(inspector=inspector)
    client.force_login(officer)
    response = client.post(
        reverse("admin:inspections_inspection_add"),
        {
            "licence": inspection.licence.pk,
            "site": inspection.site.pk,
            "kind": InspectionKind.AD_HOC,
            "planned_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    ad_hoc = Inspection.objects.exclude(pk=inspection.pk).get()
    # Another holder's site: the form again, with the reason at the field; nothing planned.
    response = client.post(
        reverse("admin:inspections_inspection_add"),
        {
            "licence": inspection.licence.pk,
            "site": InspectionFactory().site.pk,
            "kind": InspectionKind.AD_HOC,
            "planned_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "The site is not one of the licence&#x27;s sites." in response.content.decode()
    assert Inspection.objects.filter(kind=InspectionKind.AD_HOC).count() == 3
    assert (ad_hoc.kind, ad_hoc.inspector) == (InspectionKind.AD_HOC, inspector)

    started = svc.start_inspection(inspection_id=inspection.pk, by=inspector)
    answer_all(started, inspector, serials_seen=["NOPE-1"])
    svc.submit_inspection(inspection_id=started.pk, by=inspector)
    finding = started.findings.get()
    client.post(
        reverse("admin:inspections_inspection_action", args=[inspection.pk, "follow_up"]),
        {"finding": finding.pk, "planned_on": "2027-03-01"},
    )
    follow_up = Inspection.objects.get(follow_up_of=finding)
    assert follow_up.kind == InspectionKind.FOLLOW_UP and follow_up.site == inspection.site
    # An inspector plans nothing.
    with refused(Exception):
        svc.plan_follow_up(finding_id=finding.pk, by=inspector, planned_on=timezone.localdate())


def test_the_list_filters_overdue_and_the_calendar_shows_the_month(client, officer):
    late = InspectionFactory(planned_on=timezone.localdate().replace(day=1))
    client.force_login(officer)
    changelist = reverse("admin:inspections_inspection_changelist")
    assert client.get(changelist, {"overdue": "yes"}).status_code == 200
    html = client.get(reverse("admin:inspections_inspection_calendar")).content.decode()
    assert str(late.licence.holder) in html
    assert client.get(reverse("admin:inspections_finding_changelist")).status_code == 200


def test_the_holder_reads_its_reviewed_reports_and_no_other(
    client, inspector, officer, applicant_for
):
    inspection = InspectionFactory(inspector=inspector)
    inspection = svc.start_inspection(inspection_id=inspection.pk, by=inspector)
    answer_all(inspection, inspector)
    svc.submit_inspection(inspection_id=inspection.pk, by=inspector)
    licence = inspection.licence
    url = reverse("inspections:reports", kwargs={"public_id": licence.public_id})
    client.force_login(applicant_for(licence.holder))
    assert "No inspection report yet." in client.get(url).content.decode()
    inspection = svc.review_inspection(inspection_id=inspection.pk, by=officer)
    html = client.get(url).content.decode()
    download = reverse("portal:letter_pdf", kwargs={"public_id": inspection.report.public_id})
    assert download in html
    assert client.get(download)["Content-Type"] == "application/pdf"
    licence_page = reverse("portal:licence_detail", kwargs={"public_id": licence.public_id})
    assert url in client.get(licence_page).content.decode()
    # Another party's user: 404 for the page and the report.
    client.force_login(applicant_for(InspectionFactory().licence.holder))
    assert client.get(url).status_code == 404
    assert client.get(download).status_code == 404


def test_in_the_admin_an_inspector_sees_only_their_own_inspections(client, inspector, officer):
    mine = InspectionFactory(inspector=inspector)
    theirs = InspectionFactory(inspector=officer)
    client.force_login(inspector)
    html = client.get(reverse("admin:inspections_inspection_changelist")).content.decode()
    mine_url = reverse("admin:inspections_inspection_change", args=[mine.pk])
    theirs_url = reverse("admin:inspections_inspection_change", args=[theirs.pk])
    assert mine_url in html and theirs_url not in html
    assert client.get(mine_url).status_code == 200
    assert client.get(theirs_url).status_code == 302  # the admin's "does not exist" redirect
    client.force_login(officer)
    html = client.get(reverse("admin:inspections_inspection_changelist")).content.decode()
    assert mine_url in html and theirs_url in html


def test_a_checklist_version_in_use_cannot_be_edited(client, inspector, officer):
    from inspections.models import ChecklistTemplate

    template = ChecklistTemplate.objects.get(group="manufacturing", version=1)
    url = reverse("admin:inspections_checklisttemplate_change", args=[template.pk])
    client.force_login(officer)
    assert 'name="title"' in client.get(url).content.decode()
    inspection = InspectionFactory(inspector=inspector)
    svc.start_inspection(inspection_id=inspection.pk, by=inspector)
    html = client.get(url).content.decode()
    assert 'name="title"' not in html  # read only: a new version is added instead
    client.post(url, {"title": "Changed", "group": "manufacturing", "version": 1})
    template.refresh_from_db()
    assert template.title == "Manufacturing site audit"
