"""The officers' forms of assistance cases: recording one, and the forms behind its buttons.
Each form checks what the service checks, so that the officer reads the error beside the field
and keeps what was typed; the service checks again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from cooperation.models import AssistanceCase, CompetentAuthority, DeclineGround, Section
from cooperation.models.authorities import in_force_q
from cooperation.models.cases import HANDLE
from cooperation.services import answers
from cooperation.services.cases import check_case
from cooperation.services.errors import (
    AsOfOutOfRange,
    AuthorityNotInForce,
    AuthorityRequired,
    DueBeforeReceipt,
    DueDateRequired,
    DueTooLate,
    NotTheSubject,
    PartyNotOfSubject,
    ReceivedOutOfRange,
    SubjectRequired,
)
from licensing.admin.forms import ActionForm
from licensing.exceptions import DomainError

SUBJECT_FIELDS = {
    "licence": "licence",
    "party": "party",
    "machine": "machine",
    "seizure": "seizure",
    "consignment": "consignment",
}
ERROR_FIELDS: dict[type[DomainError], str] = {
    AuthorityRequired: "authority",
    AuthorityNotInForce: "authority",
    DueBeforeReceipt: "due_on",
    DueDateRequired: "due_on",
    DueTooLate: "due_on",
    ReceivedOutOfRange: "received_on",
    AsOfOutOfRange: "as_of",
    PartyNotOfSubject: "party",
}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseForm(forms.ModelForm):
    class Meta:
        model = AssistanceCase
        fields = (
            "direction",
            "authority",
            "their_reference",
            "received_on",
            "due_on",
            "subject_kind",
            "licence",
            "party",
            "machine",
            "seizure",
            "consignment",
            "question",
            "justification",
            "confidentiality",
            "as_of",
        )
        widgets = {"received_on": DATE, "due_on": DATE, "as_of": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "authority" in self.fields:
            field: Any = self.fields["authority"]
            # Art. 22.1: only an authority whose designation is in force.
            field.queryset = CompetentAuthority.objects.filter(in_force_q())
            field.error_messages["required"] = AuthorityRequired.default_message

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        case = AssistanceCase(**{k: v for k, v in data.items() if k in self.Meta.fields})
        try:
            check_case(case)
        except SubjectRequired as error:
            self.add_error(SUBJECT_FIELDS.get(str(case.subject_kind)), str(error))
        except NotTheSubject as error:
            self.add_error(error.field, str(error))
        except DomainError as error:
            self.add_error(ERROR_FIELDS.get(type(error)), str(error))
        return data


def handling_officers() -> Any:
    """Staff who may handle assistance cases, by their groups or their own permissions."""
    return (
        get_user_model()
        .objects.with_perm(HANDLE, backend="licensing.auth_cache.CachedModelBackend")
        .filter(is_active=True, is_staff=True)
        .order_by("username")
    )


class AssignForm(ActionForm):
    officer = forms.ModelChoiceField(label=_("Officer"), queryset=get_user_model().objects.none())

    def __init__(self, data: object = None, *, obj: object = None) -> None:
        super().__init__(data, obj=obj)
        field: Any = self.fields["officer"]
        field.queryset = handling_officers()


class PrepareAnswerForm(ActionForm):
    sections = forms.MultipleChoiceField(
        label=_("The answer holds"),
        choices=Section.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Read from the register as it stood on the day asked."),
    )
    text = forms.CharField(
        label=_("Covering text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
    )

    def __init__(self, data: object = None, *, obj: object = None) -> None:
        super().__init__(data, obj=obj)
        if isinstance(obj, AssistanceCase):
            available = answers.available_sections(obj)
            field: Any = self.fields["sections"]
            field.choices = [(v, label) for v, label in Section.choices if v in available]
            if obj.sections:
                field.initial = list(obj.sections)
            self.fields["text"].initial = obj.answer_text


class DeclineForm(ActionForm):
    ground = forms.ChoiceField(
        label=_("Ground"),
        choices=[("", "---------"), *DeclineGround.choices],
        error_messages={"required": _("Choose the ground of the decision.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Kept in the audit trail; tell the other authority through its channel."),
    )


class ReplyForm(ActionForm):
    reply = forms.CharField(
        label=_("What the other authority answered"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
    )
