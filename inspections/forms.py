"""The inspector's form (Art. 6.3(e)): one field per question of the inspection's checklist
version, the serial numbers read off the machines, capacity, persons present, photos and a
finding of the inspector's own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from inspections.checklist_texts import shown
from inspections.models import AnswerType, Inspection, Question, Severity
from licensing.portal.case_forms import MultipleFileField, MultipleFileInput

MAX_PHOTOS = 10
YES_NO = [("", "-"), ("yes", _("yes")), ("no", _("no")), ("n/a", _("not applicable"))]
PHOTO_WIDGET = {"accept": "image/jpeg,image/png", "capture": "environment"}


def _question_field(question: Question) -> forms.Field:
    label = f"{question.position}. {shown(question.text)}"
    help_text = question.article
    if question.answer_type == AnswerType.YES_NO:
        return forms.ChoiceField(label=label, choices=YES_NO, required=False, help_text=help_text)
    if question.answer_type == AnswerType.NUMBER:
        return forms.DecimalField(label=label, required=False, min_value=0, help_text=help_text)
    if question.answer_type == AnswerType.PHOTO:
        return MultipleFileField(
            label=label,
            required=False,
            help_text=help_text,
            widget=MultipleFileInput(attrs=PHOTO_WIDGET),
        )
    return forms.CharField(
        label=label,
        required=False,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InspectionForm(forms.Form):
    """Nothing here is required: the page saves what it has on every post, and submitting asks
    the service, which names each mandatory question still open."""

    serials_seen = forms.CharField(
        label=_("Serial numbers seen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocapitalize": "characters"}),
        help_text=_(
            "One machine a line, as read off its plate or scanned; add the make after a "
            "semicolon, e.g. PM8-204417; Hauni."
        ),
    )
    observed_capacity = forms.IntegerField(
        label=_("Observed capacity (units a year)"), required=False, min_value=0
    )
    persons_present = forms.CharField(
        label=_("Persons present"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photos = MultipleFileField(
        label=_("Evidence photos"),
        required=False,
        widget=MultipleFileInput(attrs=PHOTO_WIDGET),
    )
    finding_severity = forms.ChoiceField(
        label=_("Severity of a finding to add"), choices=Severity.choices, required=False
    )
    finding_text = forms.CharField(
        label=_("Finding to add"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, inspection: Inspection, **kwargs: Any) -> None:
        self.questions = list(inspection.template.questions.all()) if inspection.template else []
        answers = {a.question_id: a.value for a in inspection.answers.all()}
        initial = {
            "serials_seen": "\n".join(inspection.serials_seen),
            "observed_capacity": inspection.observed_capacity,
            "persons_present": inspection.persons_present,
            "summary": inspection.summary,
            "finding_severity": Severity.MINOR,
            **{f"q{q.pk}": answers.get(q.pk, "") for q in self.questions},
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _(
            "JPEG or PNG, up to %(count)d photos of at most %(mb)d MB each."
        ) % {"count": MAX_PHOTOS, "mb": settings.DESTRUCTION_PHOTO_MAX_BYTES // 2**20}
        questions = {f"q{q.pk}": _question_field(q) for q in self.questions}
        # The checklist first, in its order; the rest after it.
        self.fields = {**questions, **self.fields}

    def clean_photos(self) -> list[Any]:
        files = list(self.cleaned_data.get("photos") or [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("Attach at most %(count)d photos.") % {"count": MAX_PHOTOS}
            )
        return files

    def mark_missing(self, missing: list[Question]) -> None:
        for question in missing:
            self.add_error(f"q{question.pk}", _("This question is mandatory."))

    def record(self) -> dict[str, Any]:
        data = self.cleaned_data
        answers: dict[int, str] = {}
        question_photos: dict[int, list[Any]] = {}
        for question in self.questions:
            value = data.get(f"q{question.pk}")
            if question.answer_type == AnswerType.PHOTO:
                if value:
                    question_photos[question.pk] = list(value)
            else:
                answers[question.pk] = "" if value is None else str(value)
        text = data.get("finding_text") or ""
        return {
            "answers": answers,
            "question_photos": question_photos,
            "photos": data.get("photos") or [],
            "serials_seen": [s for s in (data.get("serials_seen") or "").splitlines() if s.strip()],
            "observed_capacity": data.get("observed_capacity"),
            "persons_present": data.get("persons_present") or "",
            "summary": data.get("summary") or "",
            "finding": (data.get("finding_severity") or Severity.MINOR, text)
            if text.strip()
            else None,
        }
