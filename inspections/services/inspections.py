"""An inspection from plan to review (Art. 6.3(e)): the one door for each change. Each service
locks the inspection, checks the user (the assigned inspector, or an officer with
``review_inspection``), runs the transition and writes the audit event."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from equipment.models import Machine, MachineState, normalised_serial
from equipment.services.destruction import checked_photo
from inspections.checklist_texts import shown
from inspections.models import (
    SERIOUS,
    Answer,
    AnswerType,
    ChecklistTemplate,
    Finding,
    FindingKind,
    Inspection,
    InspectionKind,
    InspectionPhoto,
    InspectionState,
    Outcome,
    Question,
    Severity,
    group_for,
)
from inspections.models.inspections import assigned_inspector
from inspections.services import planning, reports
from inspections.services.errors import (
    MandatoryAnswersMissing,
    NoChecklist,
    NotAFindingOfThis,
    SiteNotOfLicence,
)
from licensing.exceptions import PermissionDenied, TransitionNotAllowed
from licensing.models.audit import Verb
from licensing.models.decisions import DecisionGround
from licensing.models.licences import Licence
from licensing.services import licences as licence_services
from licensing.services.audit import record_event
from licensing.services.common import locked, require_reason, run_transition
from licensing.services.rules import suspension_proposal_blockers
from licensing.storage import storage_errors

EDITABLE = (InspectionState.IN_PROGRESS, InspectionState.REOPENED)
# Machines that should be on the site: not destroyed, not taken by the authority (Art. 18).
GONE = (MachineState.DESTROYED, MachineState.SEIZED)


def current_template(group: str) -> ChecklistTemplate | None:
    return ChecklistTemplate.objects.filter(group=group).order_by("-version").first()


@transaction.atomic
def plan_inspection(
    *,
    licence_id: int,
    site_id: int,
    by: Any,
    kind: str,
    planned_on: dt.date,
    inspector: Any = None,
    follow_up_of_id: int | None = None,
) -> Inspection:
    """Officers (``add_inspection``): an ad hoc inspection, or a follow-up of a finding. The
    inspector is the one covering the site, unless named."""
    if not by.has_perm("inspections.add_inspection"):
        raise PermissionDenied()
    if kind not in (InspectionKind.AD_HOC, InspectionKind.FOLLOW_UP):
        raise TransitionNotAllowed()
    licence = locked(Licence, licence_id)
    site = licence.sites.filter(pk=site_id).first()
    if site is None:
        raise SiteNotOfLicence()
    finding = None
    if follow_up_of_id is not None:
        finding = Finding.objects.filter(pk=follow_up_of_id, inspection__licence=licence).first()
        if finding is None:
            raise NotAFindingOfThis()
    inspection = Inspection.objects.create(
        licence=licence,
        site=site,
        kind=kind,
        planned_on=planned_on,
        inspector=inspector or planning.inspector_for_site(site),
        follow_up_of=finding,
    )
    record_event(
        inspection,
        verb=Verb.INSPECTION_PLANNED,
        by=by,
        to_state=inspection.state,
        changes={
            "licence": licence.number,
            "kind": kind,
            "planned_on": planned_on.isoformat(),
            "follow_up_of": finding.pk if finding else None,
        },
    )
    return inspection


def plan_follow_up(*, finding_id: int, by: Any, planned_on: dt.date) -> Inspection:
    """A follow-up inspection of a finding, at the same site."""
    finding = Finding.objects.select_related("inspection").get(pk=finding_id)
    return plan_inspection(
        licence_id=finding.inspection.licence_id,
        site_id=finding.inspection.site_id,
        by=by,
        kind=InspectionKind.FOLLOW_UP,
        planned_on=planned_on,
        follow_up_of_id=finding.pk,
    )


@transaction.atomic
def start_inspection(*, inspection_id: int, by: Any) -> Inspection:
    """The assigned inspector opens it on site: the checklist version of the licence's
    activity group is fixed now, and the licensed capacity of the site is copied."""
    inspection = locked(Inspection, inspection_id)
    group = group_for(inspection.licence.activities)
    template = current_template(group)
    if inspection.state == InspectionState.PLANNED and template is None:
        raise NoChecklist()
    inspection.template = template
    inspection.started_at = timezone.now()
    capacity = inspection.site.capacities.aggregate(total=Sum("units_per_year"))["total"]
    inspection.licensed_capacity = capacity
    run_transition(
        inspection,
        "start",
        by=by,
        verb=Verb.INSPECTION_STARTED,
        extra_fields=("template", "started_at", "licensed_capacity"),
        changes={"checklist": str(template)},
    )
    return inspection


def _editable(inspection: Inspection, by: Any) -> None:
    if not assigned_inspector(inspection, by):
        raise PermissionDenied()
    if inspection.state not in EDITABLE:
        raise TransitionNotAllowed()


@transaction.atomic
def save_record(
    *,
    inspection_id: int,
    by: Any,
    answers: Mapping[int, str],
    question_photos: Mapping[int, Sequence[UploadedFile]] | None = None,
    photos: Sequence[UploadedFile] = (),
    serials_seen: Sequence[str] = (),
    observed_capacity: int | None = None,
    persons_present: str = "",
    summary: str = "",
    finding: tuple[str, str] | None = None,
) -> Inspection:
    """The assigned inspector saves what was found so far (each post of the page): nothing is
    lost on a slow connection, and submitting later checks it all. Photos are checked before
    anything is written (JPEG or PNG by content, at most ``DESTRUCTION_PHOTO_MAX_BYTES``)."""
    inspection = locked(Inspection, inspection_id)
    _editable(inspection, by)
    checked: list[tuple[int | None, tuple[str, bytes]]] = [
        (None, checked_photo(upload)) for upload in photos
    ]
    for question_id, uploads in (question_photos or {}).items():
        checked.extend((question_id, checked_photo(upload)) for upload in uploads)
    questions = {q.pk: q for q in Question.objects.filter(template=inspection.template_id)}
    for question_id, value in answers.items():
        if question_id in questions:
            Answer.objects.update_or_create(
                inspection=inspection,
                question=questions[question_id],
                defaults={"value": value.strip()},
            )
    for photo_question, (content_type, data) in checked:
        photo = InspectionPhoto(
            inspection=inspection,
            question=questions.get(photo_question) if photo_question else None,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        with storage_errors("inspection photo"):
            photo.file.save("photo", ContentFile(data), save=False)
        photo.save()
    inspection.serials_seen = [s.strip() for s in serials_seen if s.strip()]
    inspection.observed_capacity = observed_capacity
    inspection.persons_present = persons_present.strip()
    inspection.summary = summary.strip()
    inspection.save(
        update_fields=[
            "serials_seen",
            "observed_capacity",
            "persons_present",
            "summary",
            "updated_at",
        ]
    )
    if finding is not None and finding[1].strip():
        _add_finding(inspection, by, kind=FindingKind.OTHER, severity=finding[0], text=finding[1])
    return inspection


def missing_answers(inspection: Inspection) -> list[Question]:
    """The mandatory questions without an answer (a photo question without a photo)."""
    texts = {a.question_id for a in inspection.answers.all() if a.value.strip()}
    photos = set(
        inspection.photos.filter(question__isnull=False).values_list("question_id", flat=True)
    )
    return [
        q
        for q in Question.objects.filter(template=inspection.template_id, mandatory=True)
        if q.pk not in (photos if q.answer_type == AnswerType.PHOTO else texts)
    ]


def _remedy_by(severity: str) -> dt.date | None:
    if severity == Severity.OBSERVATION:
        return None
    return timezone.localdate() + dt.timedelta(days=settings.INSPECTION_REMEDY_DAYS)


def _add_finding(
    inspection: Inspection,
    by: Any,
    *,
    kind: str,
    severity: str,
    text: str,
    wording: dict[str, Any] | None = None,
    serial: str = "",
    machine: Machine | None = None,
) -> Finding:
    finding = Finding.objects.create(
        inspection=inspection,
        kind=kind,
        severity=severity,
        description=text.strip(),
        wording=wording or {},
        serial=serial,
        machine=machine,
        remedy_by=_remedy_by(severity),
    )
    record_event(
        inspection,
        verb=Verb.FINDING_RECORDED,
        by=by,
        changes={"finding": finding.pk, "kind": kind, "severity": severity, "serial": serial},
    )
    return finding


def worded(msgid: str, **params: Any) -> dict[str, Any]:
    """A finding the system words: its text now, in the recorder's language, and its message
    and values, so that a report words it again in its reader's language (the holder's)."""
    values = {name: str(value) for name, value in params.items()}
    return {"text": gettext(msgid) % values, "wording": {"msgid": msgid, "params": values}}


def _parse(line: str) -> tuple[str, str]:
    """ "SERIAL" or "SERIAL ; MAKE", as typed or scanned."""
    serial, _sep, make = line.partition(";")
    return serial.strip(), make.strip()


def expected_machines(inspection: Inspection) -> list[Machine]:
    """The machines of the register that should be at the inspected site."""
    return list(
        Machine.objects.filter(licence=inspection.licence, site=inspection.site)
        .exclude(state__in=GONE)
        .order_by("identifier")
    )


def machine_findings(inspection: Inspection) -> list[dict[str, Any]]:
    """Art. 6.3(h): the serials seen, compared with the register (normalised like it). A serial
    in no machine is an unknown machine; one of another holder, site or make is a mismatch;
    a machine of this licence and site whose serial was not seen is missing."""
    expected = expected_machines(inspection)
    seen_ids: set[int] = set()
    found: list[dict[str, Any]] = []
    for line in inspection.serials_seen:
        serial, make = _parse(line)
        key = normalised_serial(serial)
        if not key:
            continue
        matches = list(Machine.objects.filter(serial_key=key).exclude(state=MachineState.DESTROYED))
        here = [m for m in matches if m in expected]
        if make:
            here_same_make = [m for m in here if m.make_key == normalised_serial(make)]
        else:
            here_same_make = here
        if here_same_make:
            seen_ids.update(m.pk for m in here_same_make)
        elif here:
            seen_ids.update(m.pk for m in here)
            found.append(
                {
                    "kind": FindingKind.MISMATCH,
                    "severity": Severity.MAJOR,
                    "serial": serial,
                    "machine": here[0],
                    **worded(
                        gettext_noop(
                            "Serial number %(serial)s: the register has make %(registered)s, "
                            "the plate reads %(seen)s."
                        ),
                        serial=serial,
                        registered=here[0].make,
                        seen=make,
                    ),
                }
            )
        elif matches:
            found.append(
                {
                    "kind": FindingKind.MISMATCH,
                    "severity": Severity.MAJOR,
                    "serial": serial,
                    "machine": matches[0],
                    **worded(
                        gettext_noop(
                            "Serial number %(serial)s is registered to %(holder)s at another site "
                            "or under another licence."
                        ),
                        serial=serial,
                        holder=matches[0].holder,
                    ),
                }
            )
        else:
            found.append(
                {
                    "kind": FindingKind.UNKNOWN_MACHINE,
                    "severity": Severity.CRITICAL,
                    "serial": serial,
                    "machine": None,
                    **worded(
                        gettext_noop("Serial number %(serial)s is not in the register."),
                        serial=serial,
                    ),
                }
            )
    for machine in expected:
        if machine.pk not in seen_ids:
            found.append(
                {
                    "kind": FindingKind.MISSING_MACHINE,
                    "severity": Severity.MAJOR,
                    "serial": machine.serial_number,
                    "machine": machine,
                    **worded(
                        gettext_noop("Registered machine %(machine)s was not found on the site."),
                        machine=str(machine),
                    ),
                }
            )
    return found


def _record_checks(inspection: Inspection, by: Any) -> None:
    """The findings a submission makes by itself; a resubmission (after a reopening) does not
    repeat one already recorded."""
    recorded = {(f.kind, f.serial) for f in inspection.findings.all()}
    for item in machine_findings(inspection):
        if (item["kind"], item["serial"]) not in recorded:
            _add_finding(
                inspection,
                by,
                kind=item["kind"],
                severity=item["severity"],
                text=item["text"],
                wording=item["wording"],
                serial=item["serial"],
                machine=item["machine"],
            )
    licensed, observed = inspection.licensed_capacity, inspection.observed_capacity
    if (
        licensed is not None
        and observed is not None
        and observed > licensed
        and (FindingKind.CAPACITY, "") not in recorded
    ):
        _add_finding(
            inspection,
            by,
            kind=FindingKind.CAPACITY,
            severity=Severity.MAJOR,
            **worded(
                gettext_noop(
                    "Observed capacity %(observed)s units a year exceeds the licensed %(licensed)s."
                ),
                observed=observed,
                licensed=licensed,
            ),
        )


def outcome_of(inspection: Inspection) -> str:
    severities = set(inspection.findings.values_list("severity", flat=True))
    if severities & set(SERIOUS):
        return Outcome.NON_COMPLIANT
    if Severity.MINOR in severities:
        return Outcome.REMEDY
    return Outcome.COMPLIANT


@transaction.atomic
def submit_inspection(*, inspection_id: int, by: Any) -> Inspection:
    """The assigned inspector submits: every mandatory question must be answered. The machine
    and capacity checks become findings; the outcome follows from the worst finding. A
    critical finding proposes the licence's suspension (Art. 6.3(a)) for a licence officer who
    is not the inspector to confirm, unless a decision is already proposed."""
    inspection = locked(Inspection, inspection_id)
    _editable(inspection, by)
    missing = missing_answers(inspection)
    if missing:
        raise MandatoryAnswersMissing(
            gettext("Answer every mandatory question before you submit: %(questions)s.")
            % {"questions": "; ".join(f"{q.position}. {shown(q.text)}" for q in missing)}
        )
    _record_checks(inspection, by)
    inspection.outcome = outcome_of(inspection)
    inspection.submitted_at = timezone.now()
    run_transition(
        inspection,
        "submit",
        by=by,
        verb=Verb.INSPECTION_SUBMITTED,
        extra_fields=("outcome", "submitted_at"),
        changes={"outcome": inspection.outcome, "findings": inspection.findings.count()},
    )
    critical = inspection.findings.filter(severity=Severity.CRITICAL).order_by("pk")
    licence = inspection.licence
    if critical.exists() and not suspension_proposal_blockers(licence, by):
        licence_services.propose_suspension(
            licence_id=licence.pk,
            by=by,
            ground=DecisionGround.INSPECTION,  # Art. 6.3(e)
            reason=gettext("Inspection %(id)s found: %(findings)s")
            % {"id": inspection.pk, "findings": "; ".join(f.description for f in critical)},
        )
    return inspection


@transaction.atomic
def review_inspection(*, inspection_id: int, by: Any) -> Inspection:
    """Licence officers (``review_inspection``): the inspection is closed and its report is
    printed and kept as the licence's document, for the holder to read in the portal."""
    inspection = locked(Inspection, inspection_id)
    inspection.reviewed_by = by
    inspection.reviewed_at = timezone.now()
    event = run_transition(
        inspection,
        "review",
        by=by,
        verb=Verb.INSPECTION_REVIEWED,
        extra_fields=("reviewed_by", "reviewed_at"),
    )
    inspection.report = reports.issue_report(inspection=inspection, event=event, by=by)
    inspection.save(update_fields=["report", "updated_at"])
    return inspection


@transaction.atomic
def reopen_inspection(*, inspection_id: int, by: Any, reason: str) -> Inspection:
    """Licence officers, with a reason: the inspector corrects and submits again."""
    inspection = locked(Inspection, inspection_id)
    reason = require_reason(reason)
    run_transition(inspection, "reopen", by=by, verb=Verb.INSPECTION_REOPENED, reason=reason)
    return inspection


def inspections_for(user: Any) -> Any:
    """Object level: an inspector sees the inspections assigned to them; officers and
    auditors (``view_inspection`` without carrying out) see all."""
    qs = Inspection.objects.select_related("licence__holder", "site", "inspector")
    if user.has_perm("inspections.review_inspection") or user.is_superuser:
        return qs
    return qs.filter(inspector=user)
