"""The checks on each filed return (issue: returns, part 3), each citing the article it
enforces and returning its evidence, as the checks of an application do
(``duediligence.checks``). A check reads what ``return_facts.load_facts`` loaded for a whole
batch of returns (``ReturnFacts``): it never queries and never writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from duediligence.checks import Finding
from duediligence.models import CheckOutcome
from duediligence.return_facts import ReturnFacts
from licensing.models.sites import ProductType
from returns.models import INFLOWS, OUTFLOWS, Measure, PaymentMethod, Role


def _outcome(problems: list[Any]) -> str:
    return CheckOutcome.FLAG if problems else CheckOutcome.PASS


def _n(value: Any) -> str:
    return format(Decimal(value).normalize(), "f")


def _product(code: str) -> str:
    return str(ProductType(code).label) if code in ProductType.values else code


def _measure(code: str) -> str:
    return str(Measure(code).label) if code in Measure.values else code


def stock_equation(facts: ReturnFacts) -> Finding:
    """Art. 9.1: per line, start + produced + imported + bought - sold - exported - destroyed
    = end, within ``RETURN_STOCK_TOLERANCE`` of the larger side."""
    tolerance = Decimal(str(settings.RETURN_STOCK_TOLERANCE))
    rows, problems = [], []
    for line in facts.lines:
        supply = line.stock_start + sum(getattr(line, name) for name in INFLOWS)
        use = sum(getattr(line, name) for name in OUTFLOWS) + line.stock_end
        gap = supply - use
        holds = abs(gap) <= tolerance * max(supply, use)
        rows.append(
            {
                "product_type": line.product_type,
                "measure": line.measure,
                "start_and_in": _n(supply),
                "out_and_end": _n(use),
                "difference": _n(gap),
                "holds": holds,
            }
        )
        if not holds:
            problems.append(f"{_product(line.product_type)} ({_measure(line.measure)}): {_n(gap)}")
    summary = (
        _("The stock does not add up: %(lines)s") % {"lines": "; ".join(problems)}
        if problems
        else _("The stock adds up on every line.")
    )
    return Finding(_outcome(problems), str(summary), {"tolerance": str(tolerance), "lines": rows})


def capacity(facts: ReturnFacts) -> Finding:
    """Art. 6.3(b)(v), 7.1(b): units produced in the period against the licensed
    manufacturing capacity of the holder's sites, pro rata for the period's length."""
    produced: dict[str, Decimal] = defaultdict(Decimal)
    for line in facts.lines:
        if line.measure == Measure.UNITS and line.produced:
            produced[line.product_type] += line.produced
    share = facts.share_of_year
    if not produced:
        return Finding(
            CheckOutcome.NOT_APPLICABLE,
            str(_("No units were produced in the period.")),
            {"rows": []},
        )
    rows, problems = [], []
    for product_type in sorted(produced):
        allowed = Decimal(facts.capacity.get(product_type, 0)) * Decimal(str(share))
        above = produced[product_type] > allowed
        rows.append(
            {
                "product_type": product_type,
                "produced": _n(produced[product_type]),
                "capacity_per_year": facts.capacity.get(product_type, 0),
                "capacity_in_period": _n(allowed.quantize(Decimal(1))),
                "above": above,
            }
        )
        if above:
            problems.append(_product(product_type))
    summary = (
        _("Produced more than the licensed capacity allows for: %(types)s")
        % {"types": ", ".join(problems)}
        if problems
        else _("Production is within the licensed capacity.")
    )
    return Finding(_outcome(problems), str(summary), {"share_of_year": share, "rows": rows})


def demand(facts: ReturnFacts) -> Finding:
    """Art. 7.1(b), 10.1(b): units sold and exported in the period against the anticipated
    demand of the licence's market declarations, pro rata for the period's length."""
    supplied: dict[str, Decimal] = defaultdict(Decimal)
    for line in facts.lines:
        if line.measure == Measure.UNITS and (line.sold or line.exported):
            supplied[line.product_type] += line.sold + line.exported
    if not facts.demand or not supplied:
        return Finding(
            CheckOutcome.NOT_APPLICABLE,
            str(_("No declared demand, or no units sold or exported.")),
            {"rows": []},
        )
    share = facts.share_of_year
    rows, problems = [], []
    for product_type in sorted(supplied):
        expected = Decimal(facts.demand.get(product_type, 0)) * Decimal(str(share))
        above = supplied[product_type] > expected
        rows.append(
            {
                "product_type": product_type,
                "sold_and_exported": _n(supplied[product_type]),
                "demand_per_year": facts.demand.get(product_type, 0),
                "demand_in_period": _n(expected.quantize(Decimal(1))),
                "above": above,
            }
        )
        if above:
            problems.append(_product(product_type))
    summary = (
        _("Sold and exported more than the anticipated demand for: %(types)s")
        % {"types": ", ".join(problems)}
        if problems
        else _("Sales and exports are within the anticipated demand.")
    )
    return Finding(_outcome(problems), str(summary), {"share_of_year": share, "rows": rows})


# The evidence keeps the status code; the summary names it in words.
STATUS_LABELS = {
    "blocked": _("blocked"),
    "licence not active": _("licence not in force on the date"),
    "unlicensed": _("no licence"),
}


def counterparts(facts: ReturnFacts) -> Finding:
    """Art. 7.4, 14.1(g): every supplier and customer holds a licence in force on the day of
    the trade (the period's end when not given), and none is a blocked customer."""
    if not facts.counterparts:
        return Finding(
            CheckOutcome.NOT_APPLICABLE,
            str(_("The return names no supplier or customer.")),
            {"counterparts": []},
        )
    rows, problems = [], []
    for found in facts.counterparts:
        c = found.counterpart
        licence = found.licence_on()
        if found.blocked:
            status = "blocked"
        elif licence is not None:
            status = "licensed"
        elif found.licences:
            status = "licence not active"
        else:
            status = "unlicensed"
        rows.append(
            {
                "name": c.name,
                "role": c.role,
                "country": str(c.country),
                "licence_number": c.licence_number,
                "registration_number": c.registration_number,
                "on": found.on.isoformat(),
                "licence": licence.number if licence else "",
                "blocked": found.blocked,
                "status": status,
            }
        )
        if status != "licensed":
            problems.append(f"{c.name} ({STATUS_LABELS[status]})")
    summary = (
        _("Not a licensee in good standing: %(names)s") % {"names": "; ".join(problems)}
        if problems
        else _("Every supplier and customer held a licence in force.")
    )
    return Finding(_outcome(problems), str(summary), {"counterparts": rows})


def payments(facts: ReturnFacts) -> Finding:
    """Art. 10.1(a), 10.2: transfers and card payments through banks in an intended market
    (or the authority's country); cash above ``RETURN_CASH_THRESHOLD``."""
    if not facts.payments:
        return Finding(
            CheckOutcome.NOT_APPLICABLE, str(_("The return names no payment.")), {"payments": []}
        )
    home = str(settings.AUTHORITY_COUNTRY or "")
    allowed = sorted({*facts.markets, *([home] if home else [])})
    threshold = Decimal(settings.RETURN_CASH_THRESHOLD)
    rows, problems = [], []
    for payment in facts.payments:
        country = str(payment.bank_country or "")
        found = ""
        if payment.method in (PaymentMethod.TRANSFER, PaymentMethod.CARD):
            if allowed and country not in allowed:
                found = str(_("bank outside the intended markets"))
        elif payment.method == PaymentMethod.CASH and payment.amount > threshold:
            found = str(_("cash above the threshold"))
        rows.append(
            {
                "method": payment.method,
                "bank": payment.bank_name,
                "bank_country": country,
                "amount": _n(payment.amount),
                "currency": payment.currency,
                "problem": found,
            }
        )
        if found:
            problems.append(f"{_n(payment.amount)} {payment.currency}: {found}")
    summary = (
        "; ".join(problems)
        if problems
        else str(_("Every payment went through an intended market, within the cash limit."))
    )
    evidence = {"markets": allowed, "cash_threshold": str(threshold), "payments": rows}
    return Finding(_outcome(problems), summary, evidence)


OPPOSITE = {Role.SUPPLIER: Role.CUSTOMER, Role.CUSTOMER: Role.SUPPLIER}


def mirror(facts: ReturnFacts) -> Finding:
    """Art. 9.1, 21: what this licensee says it traded with a licensed counterpart against
    what that counterpart's own return says it traded with this licensee, within
    ``RETURN_MIRROR_TOLERANCE`` of the larger figure. A mirror not filed yet passes."""
    tolerance = Decimal(str(settings.RETURN_MIRROR_TOLERANCE))
    ours: dict[tuple[int, str, str, str], Decimal] = defaultdict(Decimal)
    names: dict[int, str] = {}
    for found in facts.counterparts:
        c = found.counterpart
        if found.party_id is not None and found.party_id in facts.mirrors:
            ours[(found.party_id, c.role, c.product_type, c.measure)] += c.quantity
            names.setdefault(found.party_id, c.name)
    if not ours:
        return Finding(
            CheckOutcome.NOT_APPLICABLE,
            str(_("No supplier or customer is a licensee who files returns.")),
            {"mirrors": []},
        )
    me = str(facts.period.party)
    rows, problems = [], []
    for (party_id, role, product_type, measure), quantity in sorted(ours.items()):
        seen = facts.mirrors[party_id]
        them = names[party_id]
        row: dict[str, Any] = {
            "counterpart": them,
            "role": role,
            "product_type": product_type,
            "measure": measure,
            "ours": _n(quantity),
            "periods": seen.periods,
        }
        if not seen.filed:
            row.update(theirs=None, status="not filed")
            rows.append(row)
            continue
        theirs = seen.quantities.get((OPPOSITE[Role(role)], product_type, measure), Decimal(0))
        differs = abs(quantity - theirs) > tolerance * max(quantity, theirs)
        row.update(theirs=_n(theirs), status="differs" if differs else "matches")
        rows.append(row)
        if differs:
            text = (
                _(
                    "%(me)s says it sold %(ours)s %(measure)s of %(product)s to %(them)s, "
                    "%(them)s says it bought %(theirs)s"
                )
                if role == Role.CUSTOMER
                else _(
                    "%(me)s says it bought %(ours)s %(measure)s of %(product)s from "
                    "%(them)s, %(them)s says it sold %(theirs)s"
                )
            )
            problems.append(
                str(text)
                % {
                    "me": me,
                    "them": them,
                    "ours": _n(quantity),
                    "theirs": _n(theirs),
                    "measure": _measure(measure),
                    "product": _product(product_type),
                }
            )
    summary = (
        "; ".join(problems)
        if problems
        else str(_("Every filed return of a licensed counterpart mirrors this one."))
    )
    return Finding(_outcome(problems), summary, {"tolerance": str(tolerance), "mirrors": rows})


@dataclass(frozen=True)
class ReturnCheck:
    code: str
    label: str | Promise
    article: str
    run: Callable[[ReturnFacts], Finding]

    @property
    def weight(self) -> int:
        return int(settings.RETURN_CHECK_WEIGHTS.get(self.code, 0))


RETURN_CHECKS: list[ReturnCheck] = [
    ReturnCheck("stock_equation", _("Stock equation"), "Art. 9.1", stock_equation),
    ReturnCheck("capacity", _("Production within capacity"), "Art. 6.3(b)(v), 7.1(b)", capacity),
    ReturnCheck("demand", _("Sales within demand"), "Art. 7.1(b), 10.1(b)", demand),
    ReturnCheck(
        "counterparts", _("Suppliers and customers licensed"), "Art. 7.4, 14.1(g)", counterparts
    ),
    ReturnCheck("payments", _("Payments and banks"), "Art. 10.1(a), 10.2", payments),
    ReturnCheck("mirror", _("Counterparts' returns mirror it"), "Art. 9.1, 21", mirror),
]


def return_check_for(code: str) -> ReturnCheck | None:
    return next((check for check in RETURN_CHECKS if check.code == code), None)
