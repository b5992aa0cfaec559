"""What the check-your-answers page shows: every item of the filing, by step, each section
with the step it is changed on."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from licensing.models import PartyKind
from licensing.models.activities import activity_labels
from licensing.portal.apply_party_forms import identity_form_class
from licensing.portal.filing import Filing
from licensing.services import draft_records as records
from licensing.services.draft_checks import current_persons, declared_subjects, latest_declaration


def _value(obj: Any, name: str) -> Any:
    display = getattr(obj, f"get_{name}_display", None)
    value = display() if callable(display) else getattr(obj, name)
    if hasattr(value, "name") and hasattr(value, "code"):  # a country
        return value.name
    return value if value not in (None, "") else "—"


def _rows(obj: Any, names: tuple[str, ...]) -> list[tuple[Any, Any]]:
    return [(obj._meta.get_field(name).verbose_name, _value(obj, name)) for name in names]


def summary(filing: Filing) -> list[dict[str, Any]]:
    application = filing.application
    assert application is not None  # noqa: S101 - the check page needs the application
    # What the draft proposes: a licensed party's approved records with the draft's changes.
    party = records.party(filing.party, application)
    sections: list[dict[str, Any]] = [
        {
            "slug": "identity",
            "title": _("Applicant"),
            "rows": [
                (_("type of applicant"), party.get_kind_display()),
                *_rows(party, identity_form_class(party.kind).Meta.fields),
            ],
        },
        {
            "slug": "tax",
            "title": _("Tax registration numbers"),
            "rows": [
                (t.country.name, t.number)
                for t in records.tax_registrations(party, application).order_by("pk")
            ],
        },
    ]
    if party.kind == PartyKind.LEGAL:
        sections.append(
            {
                "slug": "affiliates",
                "title": _("Corporate affiliates"),
                "rows": [
                    (a.relationship, f"{a.affiliate} ({a.affiliate.registration_number})")
                    for a in records.affiliations(party, application)
                    .select_related("affiliate")
                    .order_by("pk")
                ],
            }
        )
        sections.append(
            {
                "slug": "people",
                "title": _("Directors and legal representatives"),
                "rows": [
                    (
                        p.get_role_display(),
                        f"{p.full_name}, {p.identity_document_type} "
                        f"{p.identity_document_number} ({p.identity_document_country.name})",
                    )
                    for p in current_persons(party, application)
                ],
            }
        )
    sections.append(
        {
            "slug": "activities",
            "title": _("Activities applied for"),
            "rows": [(_("activity"), label) for label in activity_labels(application.activities)],
        }
    )
    site_rows: list[tuple[Any, Any]] = []
    for site in records.sites(application).order_by("pk"):
        place = (
            f"{site.street_address}, {site.postal_code} {site.municipality}, {site.country.name}"
        )
        site_rows.append((f"{site.name} ({site.get_kind_display()})", place))
        for capacity in records.capacities(application, [site]).order_by("pk"):
            site_rows.append((_("capacity"), f"{capacity}"))
    sections.append({"slug": "sites", "title": _("Sites"), "rows": site_rows})
    products = records.products(application).order_by("pk")
    if products.exists() or application.declared_machines.exists():
        sections.append(
            {
                "slug": "products",
                "title": _("Products"),
                "rows": [
                    (p.get_product_type_display(), f"{p.name} — {p.brand} {p.trade_mark}")
                    for p in products
                ],
            }
        )
        sections.append(
            {
                "slug": "machines",
                "title": _("Manufacturing equipment"),
                "rows": [
                    (str(m), m.site) for m in application.declared_machines.select_related("site")
                ],
            }
        )
    criminal_rows = []
    for person in declared_subjects(party, application):
        latest = latest_declaration(party, person)
        who = str(person) if person else str(party)
        if latest is None:
            answer: Any = _("not declared")
        elif latest.has_convictions:
            answer = _("convictions declared")
        else:
            answer = _("no convictions")
        criminal_rows.append((who, answer))
    sections.append({"slug": "criminal", "title": _("Criminal records"), "rows": criminal_rows})
    sections.append(
        {
            "slug": "bank",
            "title": _("Bank accounts"),
            "rows": [
                (f"{b.bank_name} ({b.bank_country.name})", b.iban or b.account_number)
                for b in records.bank_accounts(party, application).order_by("pk")
            ],
        }
    )
    sections.append(
        {
            "slug": "markets",
            "title": _("Intended use and markets"),
            "rows": [
                (
                    f"{m.market.name}: {m.get_product_type_display()}",
                    f"{m.intended_use}, {m.anticipated_demand}",
                )
                for m in application.market_declarations.current().order_by("pk")
            ],
        }
    )
    sections.append(
        {
            "slug": "documents",
            "title": _("Documents"),
            "rows": [(d.get_kind_display(), d.original_name) for d in application.documents.all()],
        }
    )
    return sections
