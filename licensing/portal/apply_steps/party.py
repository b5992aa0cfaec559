"""Steps (b): who is applying, its tax numbers and its affiliates (Art. 6.3(b)(i)-(ii)). For a
licensed party they show, and save, what the draft proposes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from licensing.models import PartyKind
from licensing.portal import apply_forms as f
from licensing.portal.apply_steps.base import (
    Part,
    Step,
    formset_part,
    removed_rows,
    save_owned,
    single,
)
from licensing.portal.filing import Filing
from licensing.services import draft_records, drafts


class Identity(Step):
    slug = "identity"
    title = _("Who is applying")
    hint = _("Art. 6.3(b)(i)-(ii): the information that identifies the applicant.")

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        form_class = f.identity_form_class(filing.party.kind)
        party = draft_records.party(filing.party, filing.application)
        return [single(form_class(data, instance=party))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        form = parts[0].forms[0][1]
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        drafts.update_party(
            party=filing.party, application=filing.application, fields=fields, by=by
        )
        return filing


class Tax(Step):
    slug = "tax"
    title = _("Tax registration numbers")
    hint = _("Art. 6.3(b)(i)-(ii): one number per country where the applicant is registered.")

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        qs = draft_records.tax_registrations(filing.party, filing.application).order_by("pk")
        return [
            formset_part(f.TaxRegistrationFormSet(data, queryset=qs, prefix="tax"), _("Number"))
        ]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        return save_owned(drafts.save_tax_registrations, filing, parts, by)


class Affiliates(Step):
    slug = "affiliates"
    title = _("Corporate affiliates")
    hint = _("Art. 6.3(b)(ii): other companies in the same group. Leave empty if there are none.")

    def applies(self, filing: Filing) -> bool:
        return filing.party.kind == PartyKind.LEGAL

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        qs = draft_records.affiliations(filing.party, filing.application)
        formset = f.AffiliateFormSet(
            data, queryset=qs.select_related("affiliate").order_by("pk"), prefix="aff"
        )
        return [formset_part(formset, _("Affiliate"))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        formset = parts[0].model_formset
        removed = formset.deleted_forms
        rows = [
            form.cleaned_data
            for form in formset.forms
            if form.has_changed() and form not in removed
        ]
        drafts.save_affiliates(
            party=filing.party,
            application=filing.application,
            rows=rows,
            removed=removed_rows(formset),
            by=by,
        )
        return filing
