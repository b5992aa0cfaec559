"""Assistance cases (Art. 21, 28): a request received from another Party's competent authority,
a request this authority sends, or information it discloses on its own initiative. Each names
the authority, what it is about (a licence, a party, a machine, a seizure, a consignment), the
confidentiality the requester stated and the day the register is read as of; an inbound request
has a due date. The answer is assembled from the register and issued as one signed document
(``cooperation.services.answers``); the records in it go to the register of disclosures.

States: received -> assigned -> in progress -> answered | declined (with its ground). Every
change goes through ``cooperation.services.cases``."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from licensing.exceptions import DomainError, FourEyesViolation
from licensing.models.base import Record, choices_check, ordered_check
from licensing.models.licences import perm

HANDLE = "cooperation.handle_assistancecase"
ASSIGN = "cooperation.assign_assistancecase"


class Direction(models.TextChoices):
    INBOUND = "inbound", _("request received (Art. 28)")
    OUTBOUND = "outbound", _("request sent")
    SPONTANEOUS = "spontaneous", _("disclosure on the authority's own initiative (Art. 21.1)")


class SubjectKind(models.TextChoices):
    LICENCE = "licence", _("a licence")
    PARTY = "party", _("a party")
    MACHINE = "machine", _("a machine")
    SEIZURE = "seizure", _("a seizure")
    CONSIGNMENT = "consignment", _("a consignment")


class Confidentiality(models.TextChoices):
    # Art. 28: information exchanged is confidential and for restricted use unless the
    # transmitting Party says otherwise; Art. 21.2: it may forbid passing it on.
    RESTRICTED = "restricted", _("confidential, for restricted use (Art. 28)")
    NO_ONWARD = "no_onward", _("not to be passed on without the Party's agreement (Art. 21.2)")
    OPEN = "open", _("not confidential, as the transmitting Party stated")


class CaseState(models.TextChoices):
    RECEIVED = "received", _("received")
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", _("in progress")
    ANSWERED = "answered", _("answered")
    DECLINED = "declined", _("declined")


OPEN_STATES = (CaseState.RECEIVED, CaseState.ASSIGNED, CaseState.IN_PROGRESS)


class DeclineGround(models.TextChoices):
    NO_JUSTIFICATION = (
        "no_justification",
        _("Art. 21.1: the request gives no due justification that the information is necessary"),
    )
    OUTSIDE_PROTOCOL = (
        "outside_protocol",
        _("Art. 21.2: the information would not be used to meet the objectives of the Protocol"),
    )
    DOMESTIC_LAW = (
        "domestic_law",
        _("Art. 21.1, 22.2: domestic law on confidentiality and privacy does not allow it"),
    )
    NO_RECORDS = "no_records", _("the authority holds no records on the subject")
    RESTRICTED_SOURCE = (
        "restricted_source",
        _("Art. 21.2: the information came from another Party that has not agreed to pass it on"),
    )
    NOT_COMPETENT = "not_competent", _("another national authority is competent")


class Section(models.TextChoices):
    """What an answer may hold, each read from the register as of the day asked."""

    LICENCE = "licence", _("licence extract (Art. 21.1(a))")
    PARTY = "party", _("party's identifiers (Art. 21.1(b))")
    PERSONS = "persons", _("persons in roles: personal data (Art. 5)")
    MACHINES = "machines", _("manufacturing equipment (Art. 28(e))")
    SEIZURES = "seizures", _("seizure records (Art. 21.1(e))")


PERSONAL_SECTIONS = frozenset({Section.PERSONS})


class AnswerNotPrepared(DomainError):
    default_message = _("Prepare the answer first.")


def validate_sections(value: Any) -> None:
    from django.core.exceptions import ValidationError

    if not isinstance(value, list) or set(value) - set(Section.values):
        raise ValidationError(_("Choose what the answer holds from the list."))


class AssistanceCase(FSMModelMixin, Record):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # ``AC-2026-000012``, set when the case is recorded.
    reference = models.CharField(
        _("reference"), max_length=32, unique=True, null=True, blank=True, editable=False
    )
    direction = models.CharField(
        _("direction"), max_length=12, choices=Direction.choices, default=Direction.INBOUND
    )
    authority = models.ForeignKey(
        "cooperation.CompetentAuthority",
        on_delete=models.PROTECT,
        related_name="assistance_cases",
        verbose_name=_("other Party's authority"),
    )
    their_reference = models.CharField(_("their reference"), max_length=80, blank=True)
    received_on = models.DateField(
        _("received or sent on"), help_text=_("The day the request arrived or left.")
    )
    due_on = models.DateField(
        _("due on"),
        null=True,
        blank=True,
        help_text=_("The day the answer is due; required for a request received."),
    )
    subject_kind = models.CharField(_("about"), max_length=12, choices=SubjectKind.choices)
    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("licence"),
    )
    party = models.ForeignKey(
        "licensing.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_cases",
        verbose_name=_("party"),
    )
    machine = models.ForeignKey(
        "equipment.Machine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("machine"),
    )
    seizure = models.ForeignKey(
        "seizures.SeizureCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("seizure case"),
    )
    consignment = models.TextField(
        _("consignment"),
        blank=True,
        help_text=_("Container, transport document, seals, route: what identifies it."),
    )
    question = models.TextField(_("what is asked or sent"))
    justification = models.TextField(
        _("justification given"),
        blank=True,
        help_text=_("Art. 21.1: why the requester needs the information."),
    )
    confidentiality = models.CharField(
        _("confidentiality stated"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.RESTRICTED,
    )
    as_of = models.DateField(
        _("register as of"),
        null=True,
        blank=True,
        help_text=_("The day the records are read as they stood; the day received if empty."),
    )
    state = FSMField(
        _("state"), default=CaseState.RECEIVED, choices=CaseState.choices, protected=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    # The answer: what it holds, prepared by one officer; sent by a second one when it holds
    # personal data (four eyes, Art. 5).
    sections = models.JSONField(
        _("the answer holds"), default=list, blank=True, validators=[validate_sections]
    )
    answer_text = models.TextField(_("answer"), blank=True)
    personal_data = models.BooleanField(_("holds personal data"), default=False)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answer prepared by"),
    )
    prepared_at = models.DateTimeField(_("answer prepared at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_document = models.ForeignKey(
        "licensing.IssuedDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answer document"),
    )
    decline_ground = models.CharField(
        _("ground for declining"), max_length=20, choices=DeclineGround.choices, blank=True
    )
    reminded_on = models.DateField(_("reminder sent on"), null=True, blank=True)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("assistance case")
        verbose_name_plural = _("assistance cases")
        ordering = ("-received_on", "-pk")
        permissions = [
            ("handle_assistancecase", _("Can record, work on and answer assistance cases")),
            ("assign_assistancecase", _("Can assign assistance cases")),
        ]
        indexes = [
            models.Index(fields=["state", "due_on"], name="assistance_state_due"),
        ]
        constraints = [
            choices_check("state", CaseState, "assistance_case_state_valid"),
            choices_check("direction", Direction, "assistance_case_direction_valid"),
            choices_check("subject_kind", SubjectKind, "assistance_case_subject_valid"),
            choices_check(
                "decline_ground", DeclineGround, "assistance_case_ground_valid", blank=True
            ),
            ordered_check("received_on", "due_on", "assistance_due_after_receipt", open_end=True),
            models.CheckConstraint(
                condition=~models.Q(direction=Direction.INBOUND) | models.Q(due_on__isnull=False),
                name="assistance_inbound_due",
                violation_error_message=_("A request received needs its due date."),
            ),
            # The subject named is the record of its kind.
            models.CheckConstraint(
                condition=models.Q(subject_kind=SubjectKind.LICENCE, licence__isnull=False)
                | models.Q(subject_kind=SubjectKind.PARTY, party__isnull=False)
                | models.Q(subject_kind=SubjectKind.MACHINE, machine__isnull=False)
                | models.Q(subject_kind=SubjectKind.SEIZURE, seizure__isnull=False)
                | models.Q(subject_kind=SubjectKind.CONSIGNMENT, consignment__gt=""),
                name="assistance_case_subject",
                violation_error_message=_("Name the record the case is about."),
            ),
            models.CheckConstraint(
                condition=~models.Q(state=CaseState.DECLINED) | models.Q(decline_ground__gt=""),
                name="assistance_declined_ground",
                violation_error_message=_("A declined case names its ground."),
            ),
        ]

    def __str__(self) -> str:
        return self.reference or str(_("new assistance case"))

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def reads_as_of(self) -> Any:
        return self.as_of or self.received_on

    def user_blockers(self, name: str, user: Any) -> list[DomainError]:
        """Four eyes (Art. 5): personal data leaves only on a second officer's confirmation."""
        if name != "answer" or self.direction == Direction.OUTBOUND:
            return []
        if self.prepared_at is None:
            return [AnswerNotPrepared()]
        if self.personal_data and self.prepared_by_id == user.pk:
            return [
                FourEyesViolation(
                    _("Another officer must confirm an answer with personal data you prepared.")
                )
            ]
        return []

    @transition(
        field=state,
        source=CaseState.RECEIVED,
        target=CaseState.ASSIGNED,
        permission=perm(ASSIGN),
        custom={"label": _("Assign")},
    )
    def assign(self) -> None:
        pass

    @transition(
        field=state,
        source=(CaseState.RECEIVED, CaseState.ASSIGNED),
        target=CaseState.IN_PROGRESS,
        permission=perm(HANDLE),
        custom={"label": _("Start work")},
    )
    def start(self) -> None:
        pass

    @transition(
        field=state,
        source=CaseState.IN_PROGRESS,
        target=CaseState.ANSWERED,
        permission=perm(HANDLE),
        custom={"label": _("Send the answer")},
    )
    def answer(self) -> None:
        pass

    @transition(
        field=state,
        source=OPEN_STATES,
        target=CaseState.DECLINED,
        permission=perm(HANDLE),
        custom={"label": _("Decline"), "reason": True},
    )
    def decline(self) -> None:
        pass
