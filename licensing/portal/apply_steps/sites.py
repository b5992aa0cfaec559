"""Steps of where and what: sites (Art. 6.3(b)(iii)), capacity, products (Art. 6.3(b)(iv)),
machines (Art. 6.3(b)(iv)-(v)) and markets (Art. 6.3(b)(viii)). The draft's sites and products
include its proposals (licensing.services.draft_records)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from licensing.models import SiteKind
from licensing.models.activities import MANUFACTURING
from licensing.portal import apply_forms as f
from licensing.portal.apply_steps.base import (
    ApplicationStep,
    Part,
    changed_rows,
    formset_part,
    removed_rows,
)
from licensing.portal.filing import Filing
from licensing.services import draft_records, drafts


def manufacturing(filing: Filing) -> bool:
    return bool(filing.application and set(filing.application.activities) & MANUFACTURING)


def _save(step: ApplicationStep, filing: Filing, parts: list[Part], by: Any) -> Filing:
    formset = parts[0].model_formset
    drafts.save_application_rows(
        application=step.app(filing),
        rows=changed_rows(formset),
        removed=removed_rows(formset),
        step=step.slug,
        by=by,
    )
    return filing


class Sites(ApplicationStep):
    slug = "sites"
    title = _("Sites")
    hint = _(
        "Art. 6.3(b)(iii): the precise location of each manufacturing unit, warehouse and other "
        "business location. Coordinates are optional."
    )

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        application = self.app(filing)
        qs = draft_records.sites(application).order_by("pk")
        if not qs.exists() and application.licence_id:
            qs = application.licence.sites.order_by("pk")  # pre-filled from the licence
        return [formset_part(f.SiteFormSet(data, queryset=qs, prefix="site"), _("Site"))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        return _save(self, filing, parts, by)


def manufacturing_sites(filing: Filing) -> Any:
    sites = draft_records.sites(Sites.app(filing))
    return sites.filter(kind=SiteKind.MANUFACTURING).order_by("pk")


class Capacity(ApplicationStep):
    slug = "capacity"
    title = _("Production capacity")
    hint = _("Art. 6.3(b)(iii): units per year each manufacturing unit can make, by product type.")

    def applies(self, filing: Filing) -> bool:
        return filing.application is not None and manufacturing_sites(filing).exists()

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        sites = manufacturing_sites(filing)
        qs = draft_records.capacities(self.app(filing), sites).order_by("pk")
        formset = f.capacity_formset(sites)(data, queryset=qs, prefix="cap")
        return [formset_part(formset, _("Capacity"))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        return _save(self, filing, parts, by)


class Products(ApplicationStep):
    slug = "products"
    title = _("Products")
    hint = _("Art. 6.3(b)(iv): the tobacco products covered by the application.")

    def applies(self, filing: Filing) -> bool:
        return manufacturing(filing)

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        qs = draft_records.products(self.app(filing)).order_by("pk")
        return [formset_part(f.ProductFormSet(data, queryset=qs, prefix="product"), _("Product"))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        return _save(self, filing, parts, by)


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
        formset = f.machine_formset(draft_records.sites(application).order_by("pk"))(
            data, queryset=application.declared_machines.order_by("pk"), prefix="machine"
        )
        return [formset_part(formset, _("Machine"))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        return _save(self, filing, parts, by)


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
        return _save(self, filing, parts, by)
