"""Inspections from start to review (Art. 6.3(e)): mandatory answers, the machines checked
against the register, findings, the suspension proposed on a critical finding (four eyes,
Art. 6.3(a)), the report, and who may take each step."""

from __future__ import annotations

import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext

from equipment.models import MachineState
from inspections.checklist_texts import SEEDED_TEXTS
from inspections.models import (
    AnswerType,
    ChecklistTemplate,
    FindingKind,
    InspectionState,
    Outcome,
    Question,
    Severity,
)
from inspections.services import inspections as svc
from inspections.services.errors import MandatoryAnswersMissing
from licensing.exceptions import FourEyesViolation, PermissionDenied, TransitionNotAllowed
from licensing.models import DecisionProposal, IssuedDocument, LicenceState
from licensing.models.audit import AuditEvent, Verb
from licensing.models.decisions import ProposalAction, ProposalStatus
from licensing.models.issued import IssuedDocumentKind
from licensing.services import licences as licence_svc
from tests.factories.equipment import MachineFactory
from tests.factories.inspections import InspectionFactory
from tests.factories.licensing import ProductionCapacityFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def photo(name: str = "plate.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def answer_all(inspection, by, **extra):
    """Answers every text, number and yes/no question, and a photo for each photo question."""
    answers, photos = {}, {}
    for q in inspection.template.questions.all():
        if q.answer_type == AnswerType.PHOTO:
            photos[q.pk] = [photo()]
        elif q.answer_type == AnswerType.NUMBER:
            answers[q.pk] = "2"
        elif q.answer_type == AnswerType.YES_NO:
            answers[q.pk] = "yes"
        else:
            answers[q.pk] = "In order."
    return svc.save_record(
        inspection_id=inspection.pk, by=by, answers=answers, question_photos=photos, **extra
    )


@pytest.fixture
def started(inspector):
    inspection = InspectionFactory(inspector=inspector)
    return svc.start_inspection(inspection_id=inspection.pk, by=inspector)


@pytest.mark.django_db
def test_starting_fixes_the_checklist_version_and_the_licensed_capacity(inspector, refused):
    inspection = InspectionFactory(inspector=inspector)
    ProductionCapacityFactory(site=inspection.site, units_per_year=1_000_000)
    started = svc.start_inspection(inspection_id=inspection.pk, by=inspector)
    template = ChecklistTemplate.objects.get(group="manufacturing", version=1)
    assert (started.state, started.template, started.licensed_capacity) == (
        InspectionState.IN_PROGRESS,
        template,
        1_000_000,
    )
    # A new version later leaves this inspection on the version it started with.
    ChecklistTemplate.objects.create(group="manufacturing", version=2, title="v2")
    started.refresh_from_db()
    assert started.template == template
    with refused(TransitionNotAllowed, started):
        svc.start_inspection(inspection_id=started.pk, by=inspector)


@pytest.mark.django_db
def test_only_the_assigned_inspector_starts_saves_and_submits(inspector, officer, refused):
    other = InspectionFactory(inspector=officer)
    with refused(PermissionDenied, other):
        svc.start_inspection(inspection_id=other.pk, by=inspector)
    mine = InspectionFactory(inspector=inspector)
    with refused(PermissionDenied, mine):
        svc.start_inspection(inspection_id=mine.pk, by=officer)
    mine = svc.start_inspection(inspection_id=mine.pk, by=inspector)
    with pytest.raises(PermissionDenied):
        svc.save_record(inspection_id=mine.pk, by=officer, answers={})
    with refused(PermissionDenied, mine):
        svc.submit_inspection(inspection_id=mine.pk, by=officer)


@pytest.mark.django_db
def test_submitting_needs_every_mandatory_answer(started, inspector, refused):
    with refused(MandatoryAnswersMissing, started) as info:
        svc.submit_inspection(inspection_id=started.pk, by=inspector)
    mandatory = Question.objects.filter(template=started.template, mandatory=True)
    assert all(q.text in str(info.value) for q in mandatory)
    # A mandatory photo question is answered by a photo, not by text.
    answer_all(started, inspector)
    photo_question = Question.objects.filter(template=started.template, answer_type="photo")
    assert not svc.missing_answers(started)
    photo_question.update(mandatory=True)
    started.photos.update(question=None)
    assert svc.missing_answers(started) == list(photo_question)


@pytest.mark.django_db
def test_a_clean_inspection_is_compliant_and_moves_to_review(started, inspector, officer):
    answer_all(started, inspector, persons_present="Ingrid Haugen")
    submitted = svc.submit_inspection(inspection_id=started.pk, by=inspector)
    assert (submitted.state, submitted.outcome) == (InspectionState.SUBMITTED, Outcome.COMPLIANT)
    verbs = set(AuditEvent.objects.for_object(submitted).values_list("verb", flat=True))
    assert {Verb.INSPECTION_STARTED, Verb.INSPECTION_SUBMITTED} <= verbs
    assert not DecisionProposal.objects.exists()


@pytest.mark.django_db
def test_machines_are_checked_against_the_register(started, inspector):
    licence, site = started.licence, started.site
    seen = MachineFactory(licence=licence, site=site, serial_number="PM8-204417")
    missing = MachineFactory(licence=licence, site=site, serial_number="F8-0093-21")
    MachineFactory(licence=licence, site=site, serial_number="OLD-1", state=MachineState.DESTROYED)
    elsewhere = MachineFactory(serial_number="GDX6-55190")  # another holder's
    MachineFactory(licence=licence, site=site, make="Focke", serial_number="FK-77")
    answer_all(
        started,
        inspector,
        # typed as read off the plates: case, spaces and dashes as the register ignores them
        serials_seen=["pm8 204417", "XX-999-NEW", "GDX6 55190", "FK77; Hauni"],
    )
    submitted = svc.submit_inspection(inspection_id=started.pk, by=inspector)
    findings = {(f.kind, f.serial): f for f in submitted.findings.all()}
    assert set(findings) == {
        (FindingKind.UNKNOWN_MACHINE, "XX-999-NEW"),
        (FindingKind.MISMATCH, "GDX6 55190"),
        (FindingKind.MISMATCH, "FK77"),
        (FindingKind.MISSING_MACHINE, missing.serial_number),
    }
    assert findings[(FindingKind.UNKNOWN_MACHINE, "XX-999-NEW")].severity == Severity.CRITICAL
    assert findings[(FindingKind.MISMATCH, "GDX6 55190")].machine == elsewhere
    assert findings[(FindingKind.MISSING_MACHINE, missing.serial_number)].machine == missing
    assert findings[(FindingKind.MISMATCH, "FK77")].remedy_by is not None
    assert seen.pk not in [f.machine_id for f in findings.values()]
    assert submitted.outcome == Outcome.NON_COMPLIANT


@pytest.mark.django_db
def test_capacity_above_the_licensed_is_a_finding(inspector):
    inspection = InspectionFactory(inspector=inspector)
    ProductionCapacityFactory(site=inspection.site, units_per_year=1_000)
    inspection = svc.start_inspection(inspection_id=inspection.pk, by=inspector)
    answer_all(inspection, inspector, observed_capacity=5_000)
    submitted = svc.submit_inspection(inspection_id=inspection.pk, by=inspector)
    assert list(submitted.findings.values_list("kind", "severity")) == [
        (FindingKind.CAPACITY, Severity.MAJOR)
    ]


@pytest.mark.django_db
def test_a_critical_finding_proposes_a_suspension_another_officer_confirms(
    started, inspector, officer, officer2, refused
):
    answer_all(started, inspector, serials_seen=["UNREGISTERED-1"])
    svc.submit_inspection(inspection_id=started.pk, by=inspector)
    licence = started.licence
    proposal = licence.pending_proposal()
    assert (proposal.action, proposal.proposed_by) == (ProposalAction.SUSPEND, inspector)
    assert "UNREGISTERED-1" in proposal.reason
    # Four eyes: the proposer cannot confirm (nor can an inspector at all).
    with refused(PermissionDenied, licence):
        licence_svc.confirm_suspension(licence_id=licence.pk, by=inspector)
    licence = licence_svc.confirm_suspension(licence_id=licence.pk, by=officer)
    assert licence.state == LicenceState.SUSPENDED
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.CONFIRMED, officer)


@pytest.mark.django_db
def test_the_officer_who_proposed_a_suspension_cannot_confirm_it(officer, officer2, refused):
    inspection = InspectionFactory()
    licence = inspection.licence
    licence_svc.propose_suspension(
        licence_id=licence.pk, by=officer, ground="other", reason="Critical finding."
    )
    with refused(FourEyesViolation, licence):
        licence_svc.confirm_suspension(licence_id=licence.pk, by=officer)
    with refused(TransitionNotAllowed, licence):
        licence_svc.propose_suspension(
            licence_id=licence.pk, by=officer2, ground="other", reason="Again."
        )
    assert licence_svc.confirm_suspension(licence_id=licence.pk, by=officer2).state == "suspended"


@pytest.mark.django_db
def test_review_prints_the_report_with_the_findings(started, inspector, officer, refused):
    answer_all(started, inspector, serials_seen=["XX-999-NEW"], persons_present="Ingrid Haugen")
    submitted = svc.submit_inspection(inspection_id=started.pk, by=inspector)
    with refused(PermissionDenied, submitted):
        svc.review_inspection(inspection_id=submitted.pk, by=inspector)
    reviewed = svc.review_inspection(inspection_id=submitted.pk, by=officer)
    document = IssuedDocument.objects.get(kind=IssuedDocumentKind.INSPECTION_REPORT)
    assert (reviewed.state, reviewed.report, document.licence) == (
        InspectionState.REVIEWED,
        document,
        started.licence,
    )
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=document.file.open("rb").read(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    for expected in ("XX-999-NEW", "not in the register", "Ingrid Haugen", started.licence.number):
        assert expected in text
    assert "Is the licence displayed and does it name this site?" in text
    assert document.code in text.replace("\n", "")


@pytest.mark.django_db
def test_reopen_needs_a_reviewer_and_a_reason_and_allows_resubmission(
    started, inspector, officer, refused
):
    answer_all(started, inspector, serials_seen=["XX-1"])
    svc.submit_inspection(inspection_id=started.pk, by=inspector)
    with refused(PermissionDenied, started):
        svc.reopen_inspection(inspection_id=started.pk, by=inspector, reason="Fix it.")
    reopened = svc.reopen_inspection(inspection_id=started.pk, by=officer, reason="Add a photo.")
    assert reopened.state == InspectionState.REOPENED
    svc.save_record(
        inspection_id=started.pk, by=inspector, answers={}, photos=[photo()], serials_seen=["XX-1"]
    )
    again = svc.submit_inspection(inspection_id=started.pk, by=inspector)
    assert again.state == InspectionState.SUBMITTED
    # The unknown machine is recorded once, not again on resubmission.
    assert again.findings.filter(kind=FindingKind.UNKNOWN_MACHINE).count() == 1
    reviewed = svc.review_inspection(inspection_id=started.pk, by=officer)
    svc.reopen_inspection(inspection_id=reviewed.pk, by=officer, reason="Wrong outcome.")
    with refused(TransitionNotAllowed, reviewed):
        svc.review_inspection(inspection_id=reviewed.pk, by=officer)


@pytest.mark.django_db
def test_a_bad_photo_is_refused_and_nothing_is_saved(started, inspector):
    bad = SimpleUploadedFile("x.png", b"GIF89a" + b"\x00" * 10, content_type="image/png")
    from equipment.services.errors import BadPhoto

    with pytest.raises(BadPhoto):
        svc.save_record(
            inspection_id=started.pk, by=inspector, answers={}, photos=[bad], persons_present="X"
        )
    started.refresh_from_db()
    assert (started.photos.count(), started.persons_present) == (0, "")


@pytest.mark.django_db
def test_the_report_asks_the_seeded_questions_in_the_holders_language(started, inspector, officer):
    # Art. 6.3(e): the holder reads its report in its own language, checklist included.
    holder = started.licence.holder
    holder.preferred_language = "nb"
    holder.save(update_fields=["preferred_language"])
    answer_all(started, inspector, serials_seen=[], persons_present="Ingrid Haugen")
    svc.submit_inspection(inspection_id=started.pk, by=inspector)
    svc.review_inspection(inspection_id=started.pk, by=officer)
    document = IssuedDocument.objects.get(kind=IssuedDocumentKind.INSPECTION_REPORT)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=document.file.open("rb").read(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    with translation.override("nb"):
        first = started.template.questions.order_by("position").first()
        assert first is not None
        asked = gettext(first.text)
    assert asked != first.text
    assert asked in text.replace("\n", " ")
    assert first.text not in text


@pytest.mark.django_db
def test_every_seeded_checklist_text_can_be_translated():
    # The texts the migration seeds and the catalogue of inspections.checklist_texts agree.
    seeded = {t.title for t in ChecklistTemplate.objects.all()} | set(
        Question.objects.values_list("text", flat=True)
    )
    assert seeded
    assert seeded <= SEEDED_TEXTS
