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
from licensing.services import draft_records as records


@dataclass(frozen=True)
class Problem:
    """A missing item: the step (URL slug) where it is answered and what to do there."""

    step: str
    message: Any


def current_persons(party: Party, application: Application | None = None) -> Any:
    """Directors and legal representatives whose role has not ended, as the draft proposes
    them (the approved ones without a draft)."""
    today = timezone.localdate()
    return (
        records.persons(party, application)
        .filter(
            Q(active_until__isnull=True) | Q(active_until__gt=today),
            role__in=[PersonRole.DIRECTOR, PersonRole.LEGAL_REPRESENTATIVE],
        )
        .order_by("role", "full_name", "pk")
    )


def party_problems(party: Party, application: Application | None = None) -> list[Problem]:
    """Steps (a)-(b): the applicant's identity, Art. 6.3(b)(i)-(ii)."""
    problems: list[Problem] = []
    try:
        records.party(party, application).full_clean(exclude=["affiliates"])
    except ValidationError:
        problems.append(Problem("identity", _("Complete the applicant's identity.")))
    if party.kind == PartyKind.LEGAL:
        # Art. 6.3(b)(ii): applicable tax registration numbers of a legal person.
        if not records.tax_registrations(party, application).exists():
            problems.append(Problem("tax", _("Give at least one tax registration number.")))
        # Art. 6.3(b)(ii): names of its directors.
        if not current_persons(party, application).filter(role=PersonRole.DIRECTOR).exists():
            problems.append(Problem("people", _("Name at least one director.")))
    return problems


def declared_subjects(party: Party, application: Application | None = None) -> list[Person | None]:
    """Art. 6.3(b)(vi): who must declare criminal records: the party (None) and each current
    director and legal representative."""
    return [None, *current_persons(party, application)]


def latest_declaration(party: Party, person: Person | None) -> Any:
    """The latest declaration of the party (None) or person; a person the draft proposes to
    change keeps the declarations made for the approved record."""
    declarations = party.criminal_record_declarations
    if person is None:
        found = declarations.filter(person=None)
    elif person.replaces_id:
        found = declarations.filter(person_id__in=[person.pk, person.replaces_id])
    else:
        found = declarations.filter(person=person)
    return found.order_by("-created_at", "-pk").first()


def draft_problems(application: Application) -> list[Problem]:
    """Every required item still missing, in the order of the steps."""
    party = application.party
    activities = set(application.activities or [])
    manufacturing = bool(activities & MANUFACTURING)
    problems = party_problems(party, application)
    if not activities:
        problems.append(Problem("activities", _("Choose the activities applied for.")))
    sites = records.sites(application)
    # Art. 6.3(b)(iii): precise business locations.
    if not sites.exists():
        problems.append(Problem("sites", _("Add at least one site.")))
    elif manufacturing and not sites.filter(kind=SiteKind.MANUFACTURING).exists():
        problems.append(Problem("sites", _("Add the manufacturing unit.")))
    # Art. 6.3(b)(iii): production capacity of each manufacturing unit.
    for site in sites.filter(kind=SiteKind.MANUFACTURING):
        if not records.capacities(application, [site]).exists():
            problems.append(
                Problem(
                    "capacity",
                    _("Give the production capacity of %(site)s.") % {"site": site.name},
                )
            )
    # Art. 6.3(b)(iv)-(v): required when manufacturing is applied for.
    if manufacturing and not records.products(application).exists():
        problems.append(Problem("products", _("Describe the products.")))
    if manufacturing and not application.declared_machines.exists():
        problems.append(Problem("machines", _("Declare the manufacturing equipment.")))
    # Art. 6.3(b)(vi)
    subjects = declared_subjects(party, application)
    if any(latest_declaration(party, s) is None for s in subjects):
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
    if not records.bank_accounts(party, application).exists():
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
