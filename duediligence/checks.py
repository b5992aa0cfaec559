"""The automated checks of a due-diligence review (issue: due diligence), each citing the
article it enforces and returning its evidence. ``CHECKS`` runs in this order; another app adds
one with ``register_check``.

A check reads; it never writes (``services.reviews.run_checks`` stores what it finds)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from duediligence.models import CheckOutcome, KeyKind
from duediligence.screening import counterparty_licences, machine_matches, related_parties
from licensing import tax_numbers
from licensing.models import Application
from licensing.models.sites import ProductType, SiteKind
from licensing.services import draft_records as records
from licensing.services.draft_checks import declared_subjects, draft_problems, latest_declaration


@dataclass
class Finding:
    outcome: str
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    code: str
    label: str | Promise
    article: str
    run: Callable[[Application], Finding]

    @property
    def critical(self) -> bool:
        return self.code in settings.DUE_DILIGENCE_CRITICAL_CHECKS

    @property
    def weight(self) -> int:
        return int(settings.DUE_DILIGENCE_WEIGHTS.get(self.code, 0))


def _outcome(problems: list[Any]) -> str:
    return CheckOutcome.FLAG if problems else CheckOutcome.PASS


def completeness(application: Application) -> Finding:
    """Art. 6.3(b)(i)-(viii): the core's own list of what a submission needs, for this applicant
    type and these activities (``licensing.services.draft_checks``)."""
    problems = [str(problem.message) for problem in draft_problems(application)]
    summary = (
        _("Missing: %(items)s") % {"items": " ".join(problems)}
        if problems
        else _("Every item of Art. 6.3(b)(i)-(viii) is present.")
    )
    return Finding(_outcome(problems), str(summary), {"missing": problems})


def numbers(application: Application) -> Finding:
    """Art. 6.3(b)(i)-(ii): registration and tax numbers well-formed for their country, as the
    application proposes them (licensing.services.draft_records)."""
    party = records.party(application.party, application)
    rows = []
    if party.registration_number:
        country = str(party.country)
        rows.append(
            {
                "what": "registration",
                "country": country,
                "number": party.registration_number,
                "status": tax_numbers.check_number(country, party.registration_number, tax=False),
            }
        )
    for tax in records.tax_registrations(party, application).order_by("country", "pk"):
        rows.append(
            {
                "what": "tax",
                "country": str(tax.country),
                "number": tax.number,
                "status": tax_numbers.check_number(str(tax.country), tax.number, tax=True),
            }
        )
    invalid = [row for row in rows if row["status"] == "invalid"]
    if not rows:
        return Finding(CheckOutcome.NOT_APPLICABLE, str(_("No number to check.")), {"numbers": []})
    summary = (
        _("Not valid for their country: %(numbers)s")
        % {"numbers": ", ".join(f"{row['country']} {row['number']}" for row in invalid)}
        if invalid
        else _("Every number is well-formed for its country, or its country has no rule.")
    )
    return Finding(_outcome(invalid), str(summary), {"numbers": rows})


def bank_accounts(application: Application) -> Finding:
    """Art. 6.3(b)(vii), 10.2: IBAN and BIC valid, and the bank on the territory of an intended
    market of the application."""
    markets = sorted({str(d.market) for d in application.market_declarations.current()})
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for account in records.bank_accounts(application.party, application).order_by("pk"):
        found: list[str] = []
        country = str(account.bank_country)
        if account.iban:
            try:
                iban = IBAN(account.iban)
            except SchwiftyException:
                found.append(str(_("IBAN not valid")))
            else:
                if iban.country_code != country:
                    found.append(str(_("IBAN of another country than the bank")))
        if account.bic:
            try:
                bic = BIC(account.bic)
            except SchwiftyException:
                found.append(str(_("BIC not valid")))
            else:
                if bic.country_code != country:
                    found.append(str(_("BIC of another country than the bank")))
        if markets and country not in markets:
            found.append(str(_("bank outside the intended markets (Art. 10.2)")))
        rows.append(
            {
                "account": account.iban or account.account_number,
                "bic": account.bic,
                "bank_country": country,
                "problems": found,
            }
        )
        problems.extend(f"{account.iban or account.account_number}: {p}" for p in found)
    if not rows:
        return Finding(CheckOutcome.FLAG, str(_("No bank account is declared.")), {"accounts": []})
    summary = (
        "; ".join(problems)
        if problems
        else str(_("Every account is valid and held in an intended market."))
    )
    return Finding(_outcome(problems), summary, {"accounts": rows, "markets": markets})


def criminal_records(application: Application) -> Finding:
    """Art. 6.3(b)(vi), 7.3(a): a declaration for the party and every current director and
    legal representative; each declared conviction is flagged for the officer."""
    party = application.party
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for person in declared_subjects(party, application):
        subject = person.full_name if person else str(party)
        role = person.get_role_display() if person else str(_("the applicant"))
        declaration = latest_declaration(party, person)
        if declaration is None:
            status = "missing"
            problems.append(str(_("%(subject)s: no declaration") % {"subject": subject}))
        elif declaration.has_convictions:
            status = "convictions"
            problems.append(str(_("%(subject)s: convictions declared") % {"subject": subject}))
        else:
            status = "none declared"
        rows.append(
            {
                "subject": subject,
                "role": str(role),
                "status": status,
                "declared_on": declaration.declared_on.isoformat() if declaration else None,
                "details": declaration.details if declaration else "",
            }
        )
    summary = (
        "; ".join(problems)
        if problems
        else str(_("Every declaration is present and declares no conviction."))
    )
    return Finding(_outcome(problems), summary, {"declarations": rows})


def capacity(application: Application) -> Finding:
    """Art. 6.3(b)(viii), 7.1(b), 10.1(b): production capacity of the manufacturing sites
    against the anticipated demand of the intended markets, by product type; flagged above
    ``DUE_DILIGENCE_CAPACITY_RATIO`` (at the ratio exactly, it passes)."""
    ratio = float(settings.DUE_DILIGENCE_CAPACITY_RATIO)
    supply: dict[str, int] = defaultdict(int)
    sites = records.sites(application).filter(kind=SiteKind.MANUFACTURING)
    for row in records.capacities(application, sites):
        supply[row.product_type] += row.units_per_year
    demand: dict[str, int] = defaultdict(int)
    for declaration in application.market_declarations.current():
        demand[declaration.product_type] += declaration.anticipated_demand
    if not supply:
        return Finding(
            CheckOutcome.NOT_APPLICABLE,
            str(_("No manufacturing capacity is declared.")),
            {"ratio_allowed": ratio, "rows": []},
        )
    rows, problems = [], []
    for product_type in sorted(supply):
        units, wanted = supply[product_type], demand.get(product_type, 0)
        above = units > ratio * wanted
        rows.append(
            {
                "product_type": product_type,
                "capacity": units,
                "demand": wanted,
                "ratio": round(units / wanted, 3) if wanted else None,
                "above": above,
            }
        )
        if above:
            problems.append(str(ProductType(product_type).label))
    summary = (
        _("Capacity exceeds %(ratio)s times the anticipated demand for: %(types)s")
        % {"ratio": ratio, "types": ", ".join(problems)}
        if problems
        else _("Capacity is within %(ratio)s times the anticipated demand.") % {"ratio": ratio}
    )
    return Finding(_outcome(problems), str(summary), {"ratio_allowed": ratio, "rows": rows})


def related(application: Application) -> Finding:
    """Art. 6.3(d), 7.4: a person, account, address, registration or tax number shared with a
    party that was refused or revoked, or with a blocked customer; or the applicant itself."""
    matches, linked = related_parties(application.party)
    evidence = {
        "matches": [m.as_evidence() for m in matches],
        "linked_parties": linked,
    }
    if not matches:
        return Finding(
            CheckOutcome.PASS, str(_("No link to a refused, revoked or blocked party.")), evidence
        )
    kinds = dict(KeyKind.choices)
    described = sorted(
        {
            f"{m.party or m.person or m.value} ({m.reason}"
            f"{' ' + m.reference if m.reference else ''}; "
            f"{kinds.get(m.kind, m.kind)}: {m.person or m.value})"
            for m in matches
        }
    )
    return Finding(
        CheckOutcome.FLAG,
        str(_("Linked to: %(links)s") % {"links": "; ".join(described)}),
        evidence,
    )


def machines(application: Application) -> Finding:
    """Art. 6.3(b)(iv), 6.3(d): a declared serial number already declared by another holder,
    or known to a machine source (seized or destroyed, from the equipment register)."""
    serials = list(application.declared_machines.values_list("serial_number", flat=True))
    if not serials:
        return Finding(
            CheckOutcome.NOT_APPLICABLE, str(_("No machine is declared.")), {"matches": []}
        )
    matches = machine_matches(application.party, serials)
    evidence = {"serials": serials, "matches": [m.as_evidence() for m in matches]}
    if not matches:
        return Finding(CheckOutcome.PASS, str(_("No serial number is known elsewhere.")), evidence)
    described = sorted({f"{m.value}: {m.party} ({m.reason})" for m in matches})
    return Finding(CheckOutcome.FLAG, "; ".join(described), evidence)


def counterparties(application: Application) -> Finding:
    """Art. 7.2(a), 14.1(g): the declared suppliers and customers hold a licence. The core's
    application does not record them; an app that does registers a provider
    (``screening.register_counterparty_provider``): the licensee's own customer records do
    (``recorded_customers``)."""
    rows = counterparty_licences(application)
    if not rows:
        return Finding(
            CheckOutcome.NOT_APPLICABLE,
            str(_("The application records no suppliers or customers.")),
            {"counterparties": []},
        )
    unlicensed = [row["name"] for row in rows if not row["licence"]]
    summary = (
        _("Without a licence: %(names)s") % {"names": ", ".join(unlicensed)}
        if unlicensed
        else _("Every declared supplier and customer holds a licence.")
    )
    return Finding(_outcome(unlicensed), str(summary), {"counterparties": rows})


CHECKS: list[Check] = [
    Check("completeness", _("Completeness"), "Art. 6.3(b)(i)-(viii)", completeness),
    Check("numbers", _("Registration and tax numbers"), "Art. 6.3(b)(i)-(ii)", numbers),
    Check("bank_accounts", _("Bank accounts"), "Art. 6.3(b)(vii), 10.2", bank_accounts),
    Check(
        "criminal_records",
        _("Criminal-record declarations"),
        "Art. 6.3(b)(vi), 7.3(a)",
        criminal_records,
    ),
    Check("capacity", _("Capacity against demand"), "Art. 6.3(b)(viii), 7.1(b), 10.1(b)", capacity),
    Check("related_parties", _("Related parties"), "Art. 6.3(d), 7.4", related),
    Check("machines", _("Machines"), "Art. 6.3(b)(iv), 6.3(d)", machines),
    Check(
        "counterparties",
        _("Suppliers and customers licensed"),
        "Art. 7.2(a), 14.1(g)",
        counterparties,
    ),
]


def register_check(check: Check) -> None:
    if all(existing.code != check.code for existing in CHECKS):
        CHECKS.append(check)


def check_for(code: str) -> Check | None:
    return next((check for check in CHECKS if check.code == code), None)
