"""The steps of a filing (Art. 6.3(b)), in order. Each step builds its forms and saves them
through one service call; ``licensing.portal.apply`` runs them as question pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms import BaseModelFormSet
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext_lazy as _

from licensing.models import Activity, PartyKind, Person, SiteKind
from licensing.models.activities import MANUFACTURING
from licensing.portal import apply_forms as f
from licensing.portal.filing import Filing
from licensing.services import drafts
from licensing.services.draft_checks import current_persons, declared_subjects


@dataclass
class Part:
    """A form, a formset or a list of forms shown on one page."""

    forms: list[tuple[Any, Any]]  # (legend, form)
    formset: BaseFormSet | None = None

    @property
    def model_formset(self) -> BaseModelFormSet:
        """The part's model formset; a step that saves rows has one."""
        if not isinstance(self.formset, BaseModelFormSet):
            raise TypeError("this part has no model formset")
        return self.formset

    @property
    def all_valid(self) -> bool:
        if self.formset is not None:
            return self.formset.is_valid()
        return all(form.is_valid() for _legend, form in self.forms)


def single(form: forms.BaseForm) -> Part:
    return Part([(None, form)])


def formset_part(formset: BaseFormSet, legend: Any) -> Part:
    rows = [(f"{legend} {i}", form) for i, form in enumerate(formset.forms, start=1)]
    return Part(rows, formset)


def changed_rows(formset: forms.BaseModelFormSet) -> list[Any]:
    """The instances of rows that are new and filled in, or existing; not removed ones."""
    rows = []
    for form in formset.forms:
        if form in formset.deleted_forms:
            continue
        if form.instance.pk or form.has_changed():
            rows.append(form.save(commit=False))
    return rows


def removed_rows(formset: forms.BaseModelFormSet) -> list[Any]:
    return [form.instance for form in formset.deleted_forms if form.instance.pk]


class Step:
    slug = ""
    title: Any = ""
    hint: Any = ""
    needs_application = False

    def applies(self, filing: Filing) -> bool:
        return True

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        raise NotImplementedError

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        raise NotImplementedError


class Identity(Step):
    slug = "identity"
    title = _("Who is applying")
    hint = _("Art. 6.3(b)(i)-(ii): the information that identifies the applicant.")

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        form_class = f.identity_form_class(filing.party.kind)
        return [single(form_class(data, instance=filing.party))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        form = parts[0].forms[0][1]
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        party = drafts.update_party(
            party=filing.party, application=filing.application, fields=fields, by=by
        )
        return Filing(party, filing.application)


def save_party_rows(step: str, filing: Filing, parts: list[Part], by: Any) -> Filing:
    """Tax numbers and bank accounts belong to the party: saved (or ended) through it."""
    formset = parts[0].model_formset
    drafts.save_party_rows(
        party=filing.party,
        application=filing.application,
        rows=changed_rows(formset),
        removed=removed_rows(formset),
        step=step,
        by=by,
    )
    return filing


class Tax(Step):
    slug = "tax"
    title = _("Tax registration numbers")
    hint = _("Art. 6.3(b)(i)-(ii): one number per country where the applicant is registered.")

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        qs = filing.party.tax_registrations.current().order_by("pk")
        return [
            formset_part(f.TaxRegistrationFormSet(data, queryset=qs, prefix="tax"), _("Number"))
        ]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        return save_party_rows("tax", filing, parts, by)


class Affiliates(Step):
    slug = "affiliates"
    title = _("Corporate affiliates")
    hint = _("Art. 6.3(b)(ii): other companies in the same group. Leave empty if there are none.")

    def applies(self, filing: Filing) -> bool:
        return filing.party.kind == PartyKind.LEGAL

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        qs = filing.party.affiliations.current().select_related("affiliate").order_by("pk")
        formset = f.AffiliateFormSet(data, queryset=qs, prefix="aff")
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


class People(Step):
    slug = "people"
    title = _("Directors and legal representatives")
    hint = _("Art. 6.3(b)(ii): at least one director. Tick Remove for a person no longer in role.")

    def applies(self, filing: Filing) -> bool:
        return filing.party.kind == PartyKind.LEGAL

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        formset = f.PersonFormSet(data, queryset=current_persons(filing.party), prefix="person")
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


class Activities(Step):
    slug = "activities"
    title = _("Activities applied for")
    hint = _("Art. 6.1 and 6.2: choose every activity the licence is to cover.")

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        initial = {"activities": filing.application.activities if filing.application else []}
        return [single(f.ActivitiesForm(data, initial=initial))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        form = parts[0].forms[0][1]
        # Keep the order of the list of activities, whatever the order posted.
        chosen = [a for a in Activity.values if a in form.cleaned_data["activities"]]
        application = drafts.save_activities(
            party=filing.party, application=filing.application, activities=chosen, by=by
        )
        return Filing(filing.party, application)


class ApplicationStep(Step):
    needs_application = True

    @staticmethod
    def app(filing: Filing) -> Any:
        assert filing.application is not None  # noqa: S101 - the view checks needs_application
        return filing.application


def manufacturing(filing: Filing) -> bool:
    return bool(filing.application and set(filing.application.activities) & MANUFACTURING)


class Sites(ApplicationStep):
    slug = "sites"
    title = _("Sites")
    hint = _(
        "Art. 6.3(b)(iii): the precise location of each manufacturing unit, warehouse and other "
        "business location. Coordinates are optional."
    )

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        application = self.app(filing)
        qs = application.sites.order_by("pk")
        if not qs.exists() and application.licence_id:
            qs = application.licence.sites.order_by("pk")  # pre-filled from the licence
        return [formset_part(f.SiteFormSet(data, queryset=qs, prefix="site"), _("Site"))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        formset = parts[0].model_formset
        drafts.save_application_rows(
            application=self.app(filing),
            rows=changed_rows(formset),
            removed=removed_rows(formset),
            step="sites",
            by=by,
        )
        return filing


def manufacturing_sites(filing: Filing) -> Any:
    return Sites.app(filing).sites.filter(kind=SiteKind.MANUFACTURING).order_by("pk")


class Capacity(ApplicationStep):
    slug = "capacity"
    title = _("Production capacity")
    hint = _("Art. 6.3(b)(iii): units per year each manufacturing unit can make, by product type.")

    def applies(self, filing: Filing) -> bool:
        return filing.application is not None and manufacturing_sites(filing).exists()

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        from licensing.models import ProductionCapacity

        sites = manufacturing_sites(filing)
        qs = ProductionCapacity.objects.filter(site__in=sites).order_by("pk")
        formset = f.capacity_formset(sites)(data, queryset=qs, prefix="cap")
        return [formset_part(formset, _("Capacity"))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        formset = parts[0].model_formset
        drafts.save_application_rows(
            application=self.app(filing), rows=changed_rows(formset), step="capacity", by=by
        )
        return filing


class Products(ApplicationStep):
    slug = "products"
    title = _("Products")
    hint = _("Art. 6.3(b)(iv): the tobacco products covered by the application.")

    def applies(self, filing: Filing) -> bool:
        return manufacturing(filing)

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        qs = self.app(filing).products.order_by("pk")
        return [formset_part(f.ProductFormSet(data, queryset=qs, prefix="product"), _("Product"))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        formset = parts[0].model_formset
        drafts.save_application_rows(
            application=self.app(filing),
            rows=changed_rows(formset),
            removed=removed_rows(formset),
            step="products",
            by=by,
        )
        return filing


class Machines(ApplicationStep):
    slug = "machines"
    title = _("Manufacturing equipment")
    hint = _(
        "Art. 6.3(b)(iv)-(v): make, model and serial number of each machine, and the site where "
        "it will be installed and used."
    )

    def applies(self, filing: Filing) -> bool:
        return manufacturing(filing)

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        application = self.app(filing)
        formset = f.machine_formset(application.sites.order_by("pk"))(
            data, queryset=application.declared_machines.order_by("pk"), prefix="machine"
        )
        return [formset_part(formset, _("Machine"))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        formset = parts[0].model_formset
        drafts.save_application_rows(
            application=self.app(filing), rows=changed_rows(formset), step="machines", by=by
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
        from licensing.services.draft_checks import latest_declaration

        rows = []
        for i, person in enumerate(declared_subjects(filing.party)):
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


class Bank(ApplicationStep):
    slug = "bank"
    title = _("Bank accounts")
    hint = _("Art. 6.3(b)(vii): the accounts to be used in the licensed transactions.")

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        qs = filing.party.bank_accounts.current().order_by("pk")
        formset = f.BankAccountFormSet(data, queryset=qs, prefix="bank")
        return [formset_part(formset, _("Account"))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        return save_party_rows("bank", filing, parts, by)


class Markets(ApplicationStep):
    slug = "markets"
    title = _("Intended use and markets")
    hint = _(
        "Art. 6.3(b)(viii): intended use and market of sale, and the demand you reasonably "
        "anticipate there."
    )

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        qs = self.app(filing).market_declarations.current().order_by("pk")
        formset = f.MarketDeclarationFormSet(data, queryset=qs, prefix="market")
        return [formset_part(formset, _("Market"))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        formset = parts[0].model_formset
        drafts.save_application_rows(
            application=self.app(filing),
            rows=changed_rows(formset),
            removed=removed_rows(formset),
            step="markets",
            by=by,
        )
        return filing


class Documents(ApplicationStep):
    slug = "documents"
    title = _("Documents")
    hint = _(
        "Art. 6.3(b)(ii): a legal person uploads its articles of incorporation or equivalent. "
        "Other documents are optional. Upload one at a time; Continue when done."
    )
    template = "portal/apply/documents.html"

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        return [single(f.DocumentForm(data, files))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        form = parts[0].forms[0][1]
        drafts.upload_document(
            application=self.app(filing),
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            by=by,
        )
        return filing


STEPS: list[Step] = [
    Identity(),
    Tax(),
    Affiliates(),
    People(),
    Activities(),
    Sites(),
    Capacity(),
    Products(),
    Machines(),
    CriminalRecords(),
    Bank(),
    Markets(),
    Documents(),
]
BY_SLUG = {step.slug: step for step in STEPS}
