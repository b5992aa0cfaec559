"""What a draft still lacks before it may be submitted (Art. 6.3(b): "all the requisite
information"). One function, ``draft_problems``, is shared by the check-your-answers page, the
submit service and the tests, so the three never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.models.activities import MANUFACTURING
from licensing.models.applications import Application
from licensing.models.documents import DocumentKind
from licensing.models.parties import Party, PartyKind, Person, PersonRole
from licensing.models.sites import SiteKind


@dataclass(frozen=True)
class Problem:
    """A missing item: the step (URL slug) where it is answered and what to do there."""

    step: str
    message: Any


def current_persons(party: Party) -> Any:
    """Directors and legal representatives whose role has not ended."""
    today = timezone.localdate()
    return party.persons.filter(
        Q(active_until__isnull=True) | Q(active_until__gt=today),
        role__in=[PersonRole.DIRECTOR, PersonRole.LEGAL_REPRESENTATIVE],
    ).order_by("role", "full_name", "pk")


def party_problems(party: Party) -> list[Problem]:
    """Steps (a)-(b): the applicant's identity, Art. 6.3(b)(i)-(ii)."""
    problems: list[Problem] = []
    try:
        party.full_clean(exclude=["affiliates"])
    except ValidationError:
        problems.append(Problem("identity", _("Complete the applicant's identity.")))
    if party.kind == PartyKind.LEGAL:
        # Art. 6.3(b)(ii): applicable tax registration numbers of a legal person.
        if not party.tax_registrations.current().exists():
            problems.append(Problem("tax", _("Give at least one tax registration number.")))
        # Art. 6.3(b)(ii): names of its directors.
        if not current_persons(party).filter(role=PersonRole.DIRECTOR).exists():
            problems.append(Problem("people", _("Name at least one director.")))
    return problems


def declared_subjects(party: Party) -> list[Person | None]:
    """Art. 6.3(b)(vi): who must declare criminal records: the party (None) and each current
    director and legal representative."""
    return [None, *current_persons(party)]


def latest_declaration(party: Party, person: Person | None) -> Any:
    return (
        party.criminal_record_declarations.filter(person=person).order_by("-created_at", "-pk")
    ).first()


def draft_problems(application: Application) -> list[Problem]:
    """Every required item still missing, in the order of the steps."""
    party = application.party
    activities = set(application.activities or [])
    manufacturing = bool(activities & MANUFACTURING)
    problems = party_problems(party)
    if not activities:
        problems.append(Problem("activities", _("Choose the activities applied for.")))
    sites = application.sites.all()
    # Art. 6.3(b)(iii): precise business locations.
    if not sites.exists():
        problems.append(Problem("sites", _("Add at least one site.")))
    elif manufacturing and not sites.filter(kind=SiteKind.MANUFACTURING).exists():
        problems.append(Problem("sites", _("Add the manufacturing unit.")))
    # Art. 6.3(b)(iii): production capacity of each manufacturing unit.
    for site in sites.filter(kind=SiteKind.MANUFACTURING):
        if not site.capacities.exists():
            problems.append(
                Problem(
                    "capacity",
                    _("Give the production capacity of %(site)s.") % {"site": site.name},
                )
            )
    # Art. 6.3(b)(iv)-(v): required when manufacturing is applied for.
    if manufacturing and not application.products.exists():
        problems.append(Problem("products", _("Describe the products.")))
    if manufacturing and not application.declared_machines.exists():
        problems.append(Problem("machines", _("Declare the manufacturing equipment.")))
    # Art. 6.3(b)(vi)
    if any(latest_declaration(party, s) is None for s in declared_subjects(party)):
        problems.append(
            Problem(
                "criminal",
                _(
                    "Declare criminal records for the applicant and each director and legal "
                    "representative."
                ),
            )
        )
    # Art. 6.3(b)(vii)
    if not party.bank_accounts.current().exists():
        problems.append(Problem("bank", _("Add the bank account used in the transactions.")))
    # Art. 6.3(b)(viii)
    if not application.market_declarations.current().exists():
        problems.append(Problem("markets", _("Declare the intended use and market.")))
    # Art. 6.3(b)(ii): copies of articles of incorporation or equivalent documents.
    if (
        party.kind == PartyKind.LEGAL
        and not party.documents.filter(kind=DocumentKind.ARTICLES_OF_INCORPORATION).exists()
    ):
        problems.append(Problem("documents", _("Upload the articles of incorporation.")))
    return problems
