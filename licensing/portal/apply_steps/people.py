"""Steps of the people: directors and legal representatives (Art. 6.3(b)(ii)) and their
criminal-record declarations (Art. 6.3(b)(vi))."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from licensing.models import PartyKind, Person
from licensing.portal import apply_forms as f
from licensing.portal.apply_steps.base import (
    ApplicationStep,
    Part,
    Step,
    changed_rows,
    formset_part,
    removed_rows,
)
from licensing.portal.filing import Filing
from licensing.services import drafts
from licensing.services.draft_checks import current_persons, declared_subjects, latest_declaration


class People(Step):
    slug = "people"
    title = _("Directors and legal representatives")
    hint = _("Art. 6.3(b)(ii): at least one director. Tick Remove for a person no longer in role.")

    def applies(self, filing: Filing) -> bool:
        return filing.party.kind == PartyKind.LEGAL

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        queryset = current_persons(filing.party, filing.application)
        formset = f.PersonFormSet(data, queryset=queryset, prefix="person")
        return [formset_part(formset, _("Person"))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        formset = parts[0].model_formset
        drafts.save_persons(
            party=filing.party,
            application=filing.application,
            persons=changed_rows(formset),
            removed=removed_rows(formset),
            by=by,
        )
        return filing


def subject_label(filing: Filing, person: Person | None) -> Any:
    return str(person) if person is not None else str(filing.party)


class CriminalRecords(ApplicationStep):
    slug = "criminal"
    title = _("Criminal records")
    hint = _(
        "Art. 6.3(b)(vi): a declaration for the applicant and for each director and legal "
        "representative, with the certificate if you have one."
    )

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        rows = []
        for i, person in enumerate(declared_subjects(filing.party, filing.application)):
            latest = latest_declaration(filing.party, person)
            initial = (
                {
                    "has_convictions": "yes" if latest.has_convictions else "no",
                    "details": latest.details,
                }
                if latest
                else {}
            )
            form = f.CriminalRecordForm(data, files, prefix=f"crd{i}", initial=initial)
            form.subject = person  # type: ignore[attr-defined]
            rows.append((subject_label(filing, person), form))
        return [Part(rows)]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        declarations = [
            {
                "person": form.subject,
                "has_convictions": form.cleaned_data["has_convictions"],
                "details": form.cleaned_data["details"],
                "upload": form.cleaned_data.get("document"),
            }
            for _legend, form in parts[0].forms
        ]
        drafts.save_criminal_declarations(
            application=self.app(filing), declarations=declarations, by=by
        )
        return filing
